from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "用户与权限 Accounts and roles"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from accounts.auth import credentials_changed
        from accounts.models import ApiToken

        # Who a kept token is (accounts.auth) may have changed: a user, a token, a group, a user's groups.
        user_model = get_user_model()
        for model in (user_model, ApiToken, Group):
            post_save.connect(credentials_changed, sender=model, dispatch_uid=f"credentials-save-{model.__name__}")
            post_delete.connect(credentials_changed, sender=model, dispatch_uid=f"credentials-del-{model.__name__}")
        m2m_changed.connect(credentials_changed, sender=user_model.groups.through, dispatch_uid="credentials-groups")
