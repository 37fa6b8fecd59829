"""HTTP edges a hostile or careless client finds: methods, OPTIONS, odd paths,
body size and shape, non-ASCII digits, control characters (docs/api.md § Conventions)."""

import io
import re

import pytest
from marshmallow import fields
from werkzeug.exceptions import UnprocessableEntity

from inventory_api.common.blueprint import AsciiNumbersParser
from tests.conftest import assert_error

API = "/api/v1"
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _api_rules(app):
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith(API + "/")]
    assert len(rules) > 30
    return rules


def _concrete(rule):
    return re.sub(r"<(?:int:)?[a-z_]+>", "1", rule)


def test_every_api_path_answers_405_with_allow_for_other_methods(app, client):
    checked = 0
    for rule in _api_rules(app):
        path = _concrete(rule.rule)
        for method in sorted(METHODS - rule.methods):
            response = client.open(path, method=method)
            body = assert_error(response, 405)
            assert body["status"] == "Method Not Allowed"
            allowed = {m.strip() for m in response.headers["Allow"].split(",")}
            assert allowed == set(rule.methods), (method, path, allowed)
            checked += 1
    assert checked > 50


def test_options_answers_allow_without_html(app, client):
    for rule in _api_rules(app):
        response = client.options(_concrete(rule.rule))
        assert response.status_code == 204, rule.rule
        assert response.get_data() == b""
        assert "html" not in response.headers.get("Content-Type", "")
        allowed = {m.strip() for m in response.headers["Allow"].split(",")}
        assert allowed == set(rule.methods), rule.rule


def test_options_on_collection_path_with_trailing_slash_too(client):
    response = client.options(f"{API}/products/")
    assert response.status_code == 204
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {
        "GET", "HEAD", "POST", "OPTIONS"}


def test_cors_preflight_still_works(app):
    from inventory_api import create_app

    cors_app = create_app({"APP_ENV": "testing", "CORS_ORIGINS": ["http://front.example"],
                           "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    response = cors_app.test_client().options(f"{API}/products", headers={
        "Origin": "http://front.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "http://front.example"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()
    assert "html" not in response.headers.get("Content-Type", "")


@pytest.mark.parametrize("path", [f"{API}//products", "//api/v1/products", f"{API}/products//1",
                                  "//health", "/static//x"])
def test_doubled_slashes_are_json_404_without_redirect(client, path):
    response = client.get(path, headers={"Host": "evil.example"})
    assert_error(response, 404)
    assert "Location" not in response.headers


def test_a_routing_redirect_is_json_with_a_relative_location(app):
    from inventory_api import create_app

    fresh = create_app({"APP_ENV": "testing",
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    @fresh.route("/api/v1/_test_folder/")
    def _folder():
        return {"ok": True}

    response = fresh.test_client().get("/api/v1/_test_folder?x=1",
                                       headers={"Host": "evil.example"})
    assert_error(response, 308)
    assert response.headers["Location"] == "/api/v1/_test_folder/?x=1"


# --------------------------------------------------------------------------- bodies


@pytest.mark.parametrize("depth", [1000, 100000, 65])
def test_deeply_nested_body_is_400(client, depth):
    response = client.post(f"{API}/auth/login", data="[" * depth + "]" * depth,
                           content_type="application/json")
    body = assert_error(response, 400)
    assert body["message"] == "The request body is nested too deeply."


def test_moderately_nested_body_reaches_validation(client):
    nested = "[" * 20 + "]" * 20
    response = client.post(f"{API}/auth/login", content_type="application/json",
                           data='{"email": ' + nested + ', "password": "x"}')
    body = assert_error(response, 422)
    assert "email" in body["errors"]["json"]


def test_json_null_body_is_422_in_json_location(client, auth):
    body = assert_error(client.post(f"{API}/auth/login", data="null",
                                    content_type="application/json"), 422)
    assert "json" in body["errors"]
    response = client.post(f"{API}/products", data="null", content_type="application/json",
                           headers=auth("manager"))
    assert "json" in assert_error(response, 422)["errors"]


def test_body_over_max_content_length_is_413(client):
    big = b'{"email": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    response = client.post(f"{API}/auth/login", data=big, content_type="application/json")
    body = assert_error(response, 413)
    assert "1048576" in body["message"]


def test_streamed_body_over_limit_is_413(client):
    """No Content-Length (as with `Transfer-Encoding: chunked`): the limit holds while reading."""
    stream = io.BytesIO(b'{"email": "' + b"a" * (2 * 1024 * 1024) + b'"}')
    response = client.post(f"{API}/auth/login", input_stream=stream,
                           headers={"Content-Type": "application/json",
                                    "Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert_error(response, 413)


def test_max_content_length_comes_from_the_environment(app, monkeypatch):
    from inventory_api import create_app

    monkeypatch.setenv("MAX_CONTENT_LENGTH", "100")
    small = create_app({"APP_ENV": "testing",
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    assert small.config["MAX_CONTENT_LENGTH"] == 100
    response = small.test_client().post(f"{API}/auth/login", json={"email": "a" * 200})
    assert_error(response, 413)
    response = small.test_client().post(f"{API}/auth/login", json={"email": "a@b.co"})
    assert_error(response, 422)  # under the limit: validated as usual


def test_default_max_content_length_is_one_mebibyte(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024


# --------------------------------------------------------------------------- ASCII digits


def test_path_id_with_other_digits_is_404(client, auth):
    headers = auth("manager")
    product = client.post(f"{API}/products", json={"sku": "D1", "name": "Digits", "price": 1},
                          headers=headers).json
    assert client.get(f"{API}/products/{product['id']}", headers=headers).status_code == 200
    other_digits = str(product["id"]).translate(ARABIC_INDIC)
    assert_error(client.get(f"{API}/products/{other_digits}", headers=headers), 404)
    assert_error(client.get(f"{API}/products/{other_digits}/stock", headers=headers), 404)


@pytest.mark.parametrize("query, field", [
    ("page=١", "page"), ("page_size=١٢", "page_size"), ("page_size=1_0", "page_size"),
    ("page=%201", "page"), ("category_id=١٢", "category_id"), ("store_id=٣", "store_id"),
    ("min_price=١٢.5", "min_price"), ("max_price=1_000", "max_price"),
])
def test_query_numbers_with_other_digits_are_422(client, auth, query, field):
    response = client.get(f"{API}/products?{query}", headers=auth("manager"))
    body = assert_error(response, 422)
    assert field in body["errors"]["query"]


def test_ascii_query_numbers_still_work(client, auth):
    response = client.get(f"{API}/products?page=1&page_size=5&category_id=7&min_price=1.5",
                          headers=auth("manager"))
    assert response.status_code == 200 and response.json == []


def test_movement_query_ids_with_other_digits_are_422(client, auth):
    body = assert_error(client.get(f"{API}/movements?product_id=١", headers=auth("manager")), 422)
    assert "product_id" in body["errors"]["query"]


def test_money_in_a_body_with_other_digits_is_422(client, auth):
    response = client.post(f"{API}/products", json={"sku": "D2", "name": "x", "price": "١٢.5"},
                           headers=auth("manager"))
    assert "price" in assert_error(response, 422)["errors"]["json"]


def test_any_plain_integer_or_decimal_arg_refuses_other_digits(app):
    """A domain schema that uses marshmallow's own Integer/Decimal is covered too."""
    parser = AsciiNumbersParser()
    argmap = {"n": fields.Integer(), "d": fields.Decimal()}
    with app.test_request_context("/?n=12&d=1.5"):
        args = parser.parse(argmap, location="query")
        assert args["n"] == 12 and str(args["d"]) == "1.5"
    for query in ("n=١٢", "d=١.5", "n=+3"):
        with app.test_request_context(f"/?{query}"):
            with pytest.raises(UnprocessableEntity) as refused:
                parser.parse(argmap, location="query")
            assert set(refused.value.data["messages"]["query"]) == {query.split("=")[0]}


# --------------------------------------------------------------------------- control characters


def test_nul_in_product_name_is_422_and_nothing_written(client, auth):
    headers = auth("manager")
    response = client.post(f"{API}/products", json={"sku": "N1", "name": "Wid\x00get", "price": 1},
                           headers=headers)
    assert "name" in assert_error(response, 422)["errors"]["json"]
    assert client.get(f"{API}/products?active=false", headers=headers).json == []
    assert client.get(f"{API}/products", headers=headers).json == []


def test_nul_in_category_name_is_422_and_nothing_written(client, auth):
    headers = auth("manager")
    response = client.post(f"{API}/categories", json={"name": "Too\x00ls"}, headers=headers)
    assert "name" in assert_error(response, 422)["errors"]["json"]
    assert client.get(f"{API}/categories", headers=headers).json == []


def test_nul_in_lot_code_is_422_and_nothing_written(client, auth, shop):
    headers = auth("manager")
    response = client.post(f"{API}/movements", headers=headers, json={
        "type": "receipt", "product_id": shop["flour"], "store_id": shop["north"],
        "quantity": "5", "lot": "L\x001"})
    assert "lot" in assert_error(response, 422)["errors"]["json"]
    assert client.get(f"{API}/movements", headers=headers).json == []
    assert client.get(f"{API}/lots", headers=headers).json == []


def test_newline_in_product_description_is_kept(client, auth):
    response = client.post(f"{API}/products", headers=auth("manager"), json={
        "sku": "N2", "name": "Multi", "price": 1, "description": "line one\nline two\ttabbed"})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json["description"] == "line one\nline two\ttabbed"


def test_openapi_patterns_say_which_text_is_refused(client):
    """Generated clients (and the fuzzer) learn the control-character rule from the document."""
    spec = client.get("/openapi.json").json
    patterns = {prop["pattern"] for schema in spec["components"]["schemas"].values()
                for prop in schema.get("properties", {}).values()
                if "\\x00" in prop.get("pattern", "")}
    assert patterns
    for pattern in patterns:
        assert not re.search(pattern, "a\x00b") and not re.search(pattern, "a\x7fb")
        assert re.search(pattern, "plain text")
    assert any(re.search(pattern, "line\nbreak") for pattern in patterns)  # free text
    assert any(not re.search(pattern, "line\nbreak") for pattern in patterns)  # names
    assert any(not re.search(pattern, "   ") for pattern in patterns)  # required, non-blank


def test_whitespace_around_a_name_is_trimmed_not_refused(client, auth):
    headers = auth("manager")
    product = client.post(f"{API}/products", headers=headers,
                          json={"sku": " T1\t", "name": "Widget\r\n", "price": 1})
    assert product.status_code == 201, product.get_data(as_text=True)
    assert (product.json["sku"], product.json["name"]) == ("T1", "Widget")
    inside = client.post(f"{API}/products", headers=headers,
                         json={"sku": "T2", "name": "Wid\tget", "price": 1})
    assert "name" in assert_error(inside, 422)["errors"]["json"]


def test_max_length_counts_the_text_as_sent(client, auth):
    """`maxLength` in the OpenAPI document counts what the client sends, padding included."""
    headers = auth("manager")
    padded = client.get(f"{API}/products?q=" + "+" * 101, headers=headers)
    assert "q" in assert_error(padded, 422)["errors"]["query"]
    assert client.get(f"{API}/products?q=" + "+" * 99 + "x", headers=headers).status_code == 200
