"""Print Django password-hash test vectors as JSON lines {hasher, password, encoded}.

Run with the Python that has Django (Debian: /usr/bin/python3 with python3-django,
python3-argon2, python3-bcrypt):

    /usr/bin/python3 internal/password/testdata/django_vectors.py > internal/password/testdata/django_vectors.jsonl

Iteration counts are lowered where the hasher allows, so the Go tests stay fast.
Django 3.2 (Debian's) has no ScryptPasswordHasher and writes argon2i; ScryptHasher
and Argon2idFast below are Django 4.x's encoders, built on the same hashlib.scrypt
and argon2-cffi calls.
"""
import base64
import hashlib
import json
import sys

import django
from django.conf import settings
from django.contrib.auth import hashers
from django.contrib.auth.hashers import make_password
from django.utils.crypto import constant_time_compare


class PBKDF2Fast(hashers.PBKDF2PasswordHasher):
    iterations = 1000


class PBKDF2SHA1Fast(hashers.PBKDF2SHA1PasswordHasher):
    iterations = 1000


class Argon2Fast(hashers.Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64
    parallelism = 2


class Argon2idFast(Argon2Fast):
    """The argon2id variant Django 4.0 and later write (Django 3.2 writes argon2i)."""

    def encode(self, password, salt):
        argon2 = self._load_library()
        data = argon2.low_level.hash_secret(
            password.encode(), salt.encode(), time_cost=self.time_cost,
            memory_cost=self.memory_cost, parallelism=self.parallelism,
            hash_len=argon2.DEFAULT_HASH_LENGTH, type=argon2.low_level.Type.ID)
        return self.algorithm + data.decode("ascii")


class BCryptSHA256Fast(hashers.BCryptSHA256PasswordHasher):
    rounds = 4


class BCryptFast(hashers.BCryptPasswordHasher):
    rounds = 4


class ScryptHasher(hashers.BasePasswordHasher):
    """Django 4.x's ScryptPasswordHasher."""

    algorithm = "scrypt"
    block_size = 8
    maxmem = 0
    parallelism = 1
    work_factor = 2 ** 10

    def encode(self, password, salt, n=None, r=None, p=None):
        n = n or self.work_factor
        r = r or self.block_size
        p = p or self.parallelism
        hash_ = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p,
                               maxmem=self.maxmem, dklen=64)
        hash_ = base64.b64encode(hash_).decode("ascii").strip()
        return "%s$%d$%s$%d$%d$%s" % (self.algorithm, n, salt, r, p, hash_)

    def verify(self, password, encoded):
        algorithm, work_factor, salt, block_size, parallelism, _ = encoded.split("$", 6)
        assert algorithm == self.algorithm
        encoded_2 = self.encode(password, salt, int(work_factor), int(block_size), int(parallelism))
        return constant_time_compare(encoded, encoded_2)

    def safe_summary(self, encoded):
        return {}


HASHERS = {
    "pbkdf2_sha256": "__main__.PBKDF2Fast",
    "pbkdf2_sha1": "__main__.PBKDF2SHA1Fast",
    "argon2": "__main__.Argon2Fast",
    "argon2id": "__main__.Argon2idFast",
    "bcrypt_sha256": "__main__.BCryptSHA256Fast",
    "bcrypt": "__main__.BCryptFast",
    "scrypt": "__main__.ScryptHasher",
    "sha1": "django.contrib.auth.hashers.SHA1PasswordHasher",
    "md5": "django.contrib.auth.hashers.MD5PasswordHasher",
    "unsalted_md5": "django.contrib.auth.hashers.UnsaltedMD5PasswordHasher",
    "unsalted_sha1": "django.contrib.auth.hashers.UnsaltedSHA1PasswordHasher",
    "crypt": "django.contrib.auth.hashers.CryptPasswordHasher",
}

# Non-ASCII, a 64-character one (ASCII so bcrypt sees all of it), an empty one.
PASSWORDS = [
    "correct horse battery staple",
    "pässwörd-ÜÑÎÇØDÉ-密码-🔑",
    "x" * 32 + "Y" * 31 + "!",
    "",
]

settings.configure(PASSWORD_HASHERS=list(HASHERS.values()))
django.setup()

for name, path in HASHERS.items():
    for pw in PASSWORDS:
        if name in ("unsalted_md5", "unsalted_sha1") and pw == "":
            continue  # Django refuses an empty password for these two
        hasher = hashers.import_string(path)()
        enc = hasher.encode(pw, hasher.salt()) if name == "argon2id" else make_password(pw, hasher=hasher)
        assert hasher.verify(pw, enc), (name, pw)
        json.dump({"hasher": name, "password": pw, "encoded": enc}, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
