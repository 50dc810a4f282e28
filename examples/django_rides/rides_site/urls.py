from django.urls import path
from rides import views

urlpatterns = [
    path("pns/status", views.call_event, name="pns-status"),
    path("pns/fee", views.call_record, name="pns-fee"),
]
