from django.db import models


class CallEvent(models.Model):
    session_id = models.CharField(max_length=256)
    event_type = models.CharField(max_length=32)
    received = models.DateTimeField(auto_now_add=True)


class CallRecord(models.Model):
    """One CDR per call: the platform retries a push it thinks failed, so keep it idempotent."""

    session_id = models.CharField(max_length=256, unique=True)
    caller_num = models.CharField(max_length=32)
    bind_num = models.CharField(max_length=32)
