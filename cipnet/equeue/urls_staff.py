from django.urls import URLPattern

app_name = "queue_staff"

urlpatterns: list[URLPattern] = []
