"""bcrypt password hashing; the cost comes from `BCRYPT_ROUNDS`.

`check_password` does one full bcrypt comparison on every path (known email,
unknown email, a password bcrypt refuses such as one over 72 bytes), so the
time a login takes does not tell which emails exist.
"""

import bcrypt
from flask import current_app

MAX_PASSWORD_BYTES = 72  # bcrypt's limit; bcrypt 5 raises ValueError beyond it

# A valid hash per cost to compare against when there is nothing real to
# compare with, so that such a check costs the same as a wrong password.
_DUMMY_HASHES = {}


def hash_password(password):
    rounds = current_app.config["BCRYPT_ROUNDS"]
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()


def _dummy_hash():
    rounds = current_app.config["BCRYPT_ROUNDS"]
    if rounds not in _DUMMY_HASHES:
        _DUMMY_HASHES[rounds] = bcrypt.hashpw(b"dummy-password", bcrypt.gensalt(rounds))
    return _DUMMY_HASHES[rounds]


def check_password(password, password_hash):
    """True when `password` matches `password_hash` (None: no such user → False).

    Always runs exactly one bcrypt comparison at the configured cost: a
    password that cannot match (no user, over 72 bytes, an unusable stored
    hash) is compared with a dummy hash instead and answers False.
    """
    secret = password.encode()
    if password_hash is not None and len(secret) <= MAX_PASSWORD_BYTES:
        try:
            return bcrypt.checkpw(secret, password_hash.encode())
        except ValueError:  # a malformed stored hash: bcrypt refused before any work
            pass
    bcrypt.checkpw(secret[:MAX_PASSWORD_BYTES], _dummy_hash())
    return False
