"""A custom user model unlike Django's: e-mail as username, UUID primary key, extra fields."""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone


class EmailUserManager(BaseUserManager):
    def create_user(self, email, password=None, **extra):
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user


class Organization(models.Model):
    """A tenant: one customer of a multi-tenant application."""

    name = models.CharField(max_length=100)

    def __str__(self):
        return self.name


class EmailUser(AbstractBaseUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    staff_number = models.CharField(max_length=20, blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE)
    # The Enterprise User manager (RFC 7643 §4.3), mapped by tests/test_manager.py.
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    objects = EmailUserManager()

    def __str__(self):
        return self.email


class Profile(models.Model):
    """Profile fields of a user, in a model of their own."""

    user = models.OneToOneField(EmailUser, on_delete=models.CASCADE, related_name="profile")
    department = models.CharField(max_length=100, blank=True)

    def __str__(self):
        return f"profile of {self.user}"
