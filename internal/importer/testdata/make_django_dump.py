"""Build a throwaway Django project in OUT_DIR, create users with every
password hasher Django ships (but crypt), a DRF authtoken key, allauth
addresses and groups, and write OUT_DIR/dump.json (dumpdata with ids),
OUT_DIR/dump_natural.json (--natural-foreign) and OUT_DIR/expect.json (what
an import must make of each user).

Usage: /usr/bin/python3 make_django_dump.py OUT_DIR
"""
import io
import json
import os
import sys

out = os.path.abspath(sys.argv[1])
os.makedirs(out, exist_ok=True)
sys.path.insert(0, out)
with open(os.path.join(out, "dumpsettings.py"), "w") as f:
    f.write(f"""
SECRET_KEY = "throwaway"
USE_TZ = True
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sites",
                  "rest_framework", "rest_framework.authtoken", "allauth", "allauth.account"]
SITE_ID = 1
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": {os.path.join(out, "db.sqlite3")!r}}}}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# Django's own hashers with the cheap costs Django's test suite uses, so a
# login under the race detector on a loaded machine stays quick: the
# formats are exactly Django's.
PASSWORD_HASHERS = [
    "cheaphashers.PBKDF2PasswordHasher",
    "cheaphashers.PBKDF2SHA1PasswordHasher",
    "cheaphashers.Argon2PasswordHasher",
    "cheaphashers.BCryptSHA256PasswordHasher",
    "cheaphashers.BCryptPasswordHasher",
    "django.contrib.auth.hashers.SHA1PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.UnsaltedSHA1PasswordHasher",
    "django.contrib.auth.hashers.UnsaltedMD5PasswordHasher",
]
""")
with open(os.path.join(out, "cheaphashers.py"), "w") as f:
    f.write("""from django.contrib.auth import hashers as h
class PBKDF2PasswordHasher(h.PBKDF2PasswordHasher): iterations = 1000
class PBKDF2SHA1PasswordHasher(h.PBKDF2SHA1PasswordHasher): iterations = 1000
class Argon2PasswordHasher(h.Argon2PasswordHasher): time_cost, memory_cost, parallelism = 1, 1024, 2
class BCryptSHA256PasswordHasher(h.BCryptSHA256PasswordHasher): rounds = 4
class BCryptPasswordHasher(h.BCryptPasswordHasher): rounds = 4
""")
os.environ["DJANGO_SETTINGS_MODULE"] = "dumpsettings"

import django  # noqa: E402
django.setup()
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from allauth.account.models import EmailAddress  # noqa: E402

call_command("migrate", verbosity=0)
PASSWORD = "correct horse battery staple"
editors, billing = Group.objects.create(name="editors"), Group.objects.create(name="billing")
expect = []
hashers = {"pbkdf2_sha256": 0, "pbkdf2_sha1": 1, "argon2": 2, "bcrypt_sha256": 3, "bcrypt": 4,
           "sha1": 5, "md5": 6, "unsalted_sha1": 7, "unsalted_md5": 8}
legacy = {"sha1", "md5", "unsalted_sha1", "unsalted_md5"}
for name, i in hashers.items():
    algo = settings.PASSWORD_HASHERS[i].rsplit(".", 1)[1]
    hasher = [h for h in __import__("django.contrib.auth.hashers", fromlist=["x"]).get_hashers()
              if type(h).__name__ == algo][0]
    u = User.objects.create(username=name, email=f"{name}@example.com", first_name=name.title(),
                            last_name="Tester", password=make_password(PASSWORD, hasher=hasher.algorithm))
    u.groups.add(editors)
    expect.append({"username": name, "email": u.email, "password": PASSWORD, "hasher": name,
                   "outcome": "created", "legacy": name in legacy, "groups": ["editors"]})

boss = User.objects.create_superuser("boss", "Boss@Example.com", PASSWORD, first_name="Grace", last_name="Hopper")
boss.groups.add(editors, billing)
token = Token.objects.create(user=boss)
EmailAddress.objects.create(user=boss, email="boss@example.com", verified=True, primary=True)
expect.append({"username": "boss", "email": "Boss@Example.com", "password": PASSWORD, "hasher": "pbkdf2_sha256",
               "outcome": "created", "admin": True, "verified": True, "token": token.key,
               "groups": ["billing", "editors"]})

staff = User.objects.create_user("staff", "staff@example.com", PASSWORD, is_staff=True)
EmailAddress.objects.create(user=staff, email="staff@example.com", verified=False, primary=True)
expect.append({"username": "staff", "email": "staff@example.com", "password": PASSWORD, "hasher": "pbkdf2_sha256",
               "outcome": "created", "staff": True})

social = User.objects.create_user("social", "social@example.com")  # set_unusable_password
expect.append({"username": "social", "email": "social@example.com", "outcome": "created", "must_reset": True})

gone = User.objects.create_user("gone", "gone@example.com", PASSWORD, is_active=False)
expect.append({"username": "gone", "email": "gone@example.com", "password": PASSWORD, "outcome": "created",
               "inactive": True})

User.objects.create_user("Bob", "Bob@example.com", PASSWORD)
# Bob and bob2 collide: whichever the import meets first is created.
expect.append({"username": "Bob", "email": "Bob@example.com", "password": PASSWORD, "outcome": "created",
               "collides": True})
User.objects.create_user("bob2", "BOB@EXAMPLE.COM", PASSWORD)
expect.append({"username": "bob2", "email": "BOB@EXAMPLE.COM", "outcome": "skipped", "reason": "email collides"})
User.objects.create_user("nomail", "", PASSWORD)
expect.append({"username": "nomail", "email": "", "outcome": "skipped", "reason": "no e-mail address"})

for u in User.objects.all():
    for e in expect:
        if e["username"] == u.username:
            e["pk"] = u.pk
models = ["auth.group", "auth.user", "authtoken.token", "account.emailaddress"]
for fname, extra in (("dump.json", {}), ("dump_natural.json", {"use_natural_foreign_keys": True})):
    buf = io.StringIO()
    # Models in reverse order: an import must not depend on dumpdata's order.
    call_command("dumpdata", *reversed(models), indent=1, stdout=buf, **extra)
    with open(os.path.join(out, fname), "w") as f:
        f.write(buf.getvalue())
with open(os.path.join(out, "expect.json"), "w") as f:
    json.dump(expect, f, indent=1)
