from django.urls import URLPattern

app_name = "queue"

urlpatterns: list[URLPattern] = []
