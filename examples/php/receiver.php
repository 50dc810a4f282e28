<?php
// The push receiver: PNS wants HTTP 200 and an empty body for every notification.
file_get_contents('php://input');
http_response_code((int) (getenv('RECEIVER_STATUS') ?: 200));
