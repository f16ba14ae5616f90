from django.urls import URLPattern

app_name = "queue_kiosk"

urlpatterns: list[URLPattern] = []
