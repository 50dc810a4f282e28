<?php
// A deliberately wrong integration: each request carries one classic mistake, and the receiver
// answers pushes with 500. It checks nothing, as such clients do: the verdict must catch it all.
require __DIR__ . '/pns.php';

$receiver = start_receiver(500);
try {
    [$x, $y] = numbers();
    $key = env('PNS_AXB_APP_KEY');
    $body = ['relationNum' => $x, 'callerNum' => '+8613800000001', 'calleeNum' => '+8613900000002'];
    // 1. local time with a space, as date() prints it, instead of yyyy-MM-dd'T'HH:mm:ss'Z'
    pns('POST', AXB, [], $body, pns_headers($key, env('PNS_AXB_APP_SECRET'), date('Y-m-d H:i:s')));
    // 2. the required calleeNum left out
    pns('POST', AXB, [], ['relationNum' => $x, 'callerNum' => '+8613800000001']);
    // 3. signed with the wrong secret: the digest does not match
    pns('GET', AXB, ['relationNum' => $x], null, pns_headers($key, 'not-the-secret'));
    // 4. the receiver answers 500
    number_status_push($y);
    echo "php: wrong integration done\n";
} finally {
    stop_receiver($receiver);
}
