"""bcrypt password hashing; the cost comes from `BCRYPT_ROUNDS`."""

import bcrypt
from flask import current_app

# A valid hash to compare against when the email is unknown, so that a login
# for an unknown email costs the same time as a wrong password.
_DUMMY_HASHES = {}


def hash_password(password):
    rounds = current_app.config["BCRYPT_ROUNDS"]
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()


def check_password(password, password_hash):
    if password_hash is None:
        rounds = current_app.config["BCRYPT_ROUNDS"]
        if rounds not in _DUMMY_HASHES:
            _DUMMY_HASHES[rounds] = bcrypt.hashpw(b"dummy-password", bcrypt.gensalt(rounds))
        bcrypt.checkpw(password.encode()[:72], _DUMMY_HASHES[rounds])
        return False
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:
        return False
