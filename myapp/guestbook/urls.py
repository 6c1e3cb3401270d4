from django.urls import path

from myapp.guestbook import views

urlpatterns = [path("", views.home, name="home")]
