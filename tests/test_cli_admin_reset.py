"""`create-admin` on an existing admin resets its password and revokes its tokens."""

from tests.conftest import assert_error


def test_resetting_an_admin_password_from_the_cli_revokes_its_tokens(runner, client, login):
    created = runner.invoke(args=["create-admin", "--email", "boss@example.com",
                                  "--password", "first-pass-1"])
    assert created.exit_code == 0, created.output
    old = login("boss@example.com", "first-pass-1")
    headers = {"Authorization": f"Bearer {old['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=headers).json["email"] == "boss@example.com"

    reset = runner.invoke(args=["create-admin", "--email", "boss@example.com",
                                "--password", "second-pass-2"])
    assert reset.exit_code == 0 and "Password reset" in reset.output

    body = assert_error(client.get("/api/v1/auth/me", headers=headers), 401)
    assert body["message"] == "The token has been revoked."
    refresh = {"Authorization": f"Bearer {old['refresh_token']}"}
    assert_error(client.post("/api/v1/auth/refresh", headers=refresh), 401)
    assert login("boss@example.com", "second-pass-2")["user"]["role"] == "admin"
