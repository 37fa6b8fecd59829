import pytest

from tests.catalog_utils import ROLES, create, ids, pagination, put_stock
from tests.conftest import assert_error

BASE = "/api/v1/products"
INTERNAL = {"cost", "preferred_supplier_id", "min_stock", "reorder_quantity", "track_lots",
            "active", "stock_total"}


@pytest.fixture
def manager(auth):
    return auth("manager")


def make(client, headers, sku, **extra):
    body = {"sku": sku, "name": extra.pop("name", f"Product {sku}"), "price": "1.00", **extra}
    return create(client, headers, "products", body)


def test_create_full_body(client, manager):
    cat = create(client, manager, "categories", {"name": "Flour"})
    sup = create(client, manager, "suppliers", {"name": "Mill & Co"})
    response = client.post(BASE, headers=manager, json={
        "sku": " ab-12 ", "name": "Wheat flour", "description": "Type 000",
        "category_id": cat["id"], "kind": "raw_material", "unit": "kg", "price": 2.5,
        "cost": "1.2", "min_stock": "10.5", "reorder_quantity": 50, "barcode": "7790001",
        "preferred_supplier_id": sup["id"], "track_lots": True,
    })
    assert response.status_code == 201, response.json
    body = response.json
    assert response.headers["Location"].endswith(f"{BASE}/{body['id']}")
    assert {k: v for k, v in body.items() if k not in ("id", "created_at", "updated_at")} == {
        "sku": "ab-12", "name": "Wheat flour", "description": "Type 000",
        "category_id": cat["id"], "kind": "raw_material", "unit": "kg", "price": "2.50",
        "cost": "1.20", "min_stock": "10.500", "reorder_quantity": "50.000",
        "barcode": "7790001", "preferred_supplier_id": sup["id"], "track_lots": True,
        "active": True, "stock_total": "0.000", "stock_status": "out",
    }


def test_create_defaults(client, manager):
    body = make(client, manager, "min")
    assert body["kind"] == "merchandise" and body["unit"] == "unit"
    assert body["cost"] == "0.00" and body["min_stock"] == "0.000"
    assert body["barcode"] is None and body["category_id"] is None
    assert body["track_lots"] is False and body["active"] is True


def test_get_and_404(client, manager):
    product = make(client, manager, "G1")
    response = client.get(f"{BASE}/{product['id']}", headers=manager)
    assert response.status_code == 200 and response.headers["ETag"]
    assert response.json == product
    assert_error(client.get(f"{BASE}/999999", headers=manager), 404)
    assert_error(client.patch(f"{BASE}/999999", json={"name": "x"}, headers=manager), 404)
    assert_error(client.put(f"{BASE}/999999", json={"sku": "X", "name": "x", "price": 1,
                                                   "kind": "merchandise", "unit": "unit"},
                            headers=manager), 404)
    assert_error(client.delete(f"{BASE}/999999", headers=manager), 404)


def test_duplicate_sku_is_409_also_differing_in_case(client, manager):
    first = make(client, manager, "Sku-1")
    assert first["sku"] == "Sku-1"
    for sku in ("Sku-1", "SKU-1", "sku-1", " sKu-1 "):
        error = assert_error(client.post(BASE, json={"sku": sku, "name": "x", "price": 1},
                                         headers=manager), 409)
        assert "SKU" in error["message"]
    other = make(client, manager, "SKU-2")
    assert_error(client.patch(f"{BASE}/{other['id']}", json={"sku": "sku-1"}, headers=manager), 409)


def test_duplicate_barcode_is_409_and_empty_barcodes_do_not_collide(client, manager):
    make(client, manager, "B1", barcode="123456")
    assert_error(client.post(BASE, json={"sku": "B2", "name": "x", "price": 1, "barcode": "123456"},
                             headers=manager), 409)
    a = make(client, manager, "B3", barcode="")
    b = make(client, manager, "B4")
    assert a["barcode"] is None and b["barcode"] is None


@pytest.mark.parametrize("body, field", [
    ({"price": "-1.00"}, "price"),
    ({"price": "1.001"}, "price"),
    ({"price": "abc"}, "price"),
    ({"price": True}, "price"),
    ({"kind": "gadget"}, "kind"),
    ({"unit": "parsec"}, "unit"),
    ({"min_stock": "1.0005"}, "min_stock"),
    ({"reorder_quantity": "-1"}, "reorder_quantity"),
    ({"cost": "-0.01"}, "cost"),
    ({"colour": "red"}, "colour"),
    ({"stock_total": "5"}, "stock_total"),
    ({"sku": "has space"}, "sku"),
    ({"sku": ""}, "sku"),
    ({"name": "   "}, "name"),
    ({"category_id": 1.5}, "category_id"),
    ({"track_lots": "maybe"}, "track_lots"),
])
def test_bad_fields_are_422_and_write_nothing(client, manager, body, field):
    payload = {"sku": "BAD-1", "name": "Bad", "price": "1.00", **body}
    error = assert_error(client.post(BASE, json=payload, headers=manager), 422)
    assert field in error["errors"]["json"]
    assert client.get(BASE, headers=manager).json == []


def test_missing_required_fields_are_422(client, manager):
    error = assert_error(client.post(BASE, json={}, headers=manager), 422)
    assert {"sku", "name", "price"} <= set(error["errors"]["json"])


def test_unknown_category_or_supplier_is_422(client, manager):
    error = assert_error(client.post(BASE, json={"sku": "R1", "name": "x", "price": 1,
                                                 "category_id": 9999, "preferred_supplier_id": 9999},
                                     headers=manager), 422)
    assert set(error["errors"]["json"]) == {"category_id", "preferred_supplier_id"}


def test_patch_is_partial(client, manager):
    product = make(client, manager, "P1", name="Old", description="keep me")
    response = client.patch(f"{BASE}/{product['id']}", json={"name": "New", "price": "9.99"},
                            headers=manager)
    assert response.status_code == 200
    assert response.json["name"] == "New" and response.json["price"] == "9.99"
    assert response.json["description"] == "keep me"
    assert response.json["stock_status"] == "out"


def test_put_replaces_everything(client, manager):
    product = make(client, manager, "P1", description="old", barcode="111", min_stock="3",
                   cost="2.00")
    response = client.put(f"{BASE}/{product['id']}", headers=manager, json={
        "sku": "p1-new", "name": "Replaced", "kind": "finished_good", "unit": "box",
        "price": "4.00"})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["sku"] == "p1-new" and body["name"] == "Replaced"
    assert body["kind"] == "finished_good" and body["unit"] == "box"
    assert body["description"] is None and body["barcode"] is None
    assert body["min_stock"] == "0.000" and body["cost"] == "0.00"


def test_put_requires_all_writable_required_fields(client, manager):
    product = make(client, manager, "P1")
    error = assert_error(client.put(f"{BASE}/{product['id']}", json={"name": "x"}, headers=manager), 422)
    assert {"sku", "price", "kind", "unit"} <= set(error["errors"]["json"])


def test_cost_is_read_only_once_stock_exists(app, client, manager):
    store = create(client, manager, "stores", {"name": "Main", "code": "MAIN"})
    product = make(client, manager, "C1", cost="1.00")
    ok = client.patch(f"{BASE}/{product['id']}", json={"cost": "1.50"}, headers=manager)
    assert ok.status_code == 200 and ok.json["cost"] == "1.50"
    put_stock(app, product["id"], store["id"], "5")
    error = assert_error(client.patch(f"{BASE}/{product['id']}", json={"cost": "2.00", "name": "N"},
                                      headers=manager), 422)
    assert "cost" in error["errors"]["json"]
    put_body = {"sku": "C1", "name": "N", "price": 1, "kind": "merchandise", "unit": "unit"}
    assert_error(client.put(f"{BASE}/{product['id']}", json={**put_body, "cost": "3"},
                            headers=manager), 422)
    # no partial write, and a PUT without cost keeps the moving-average cost
    assert client.get(f"{BASE}/{product['id']}", headers=manager).json["name"] == "Product C1"
    replaced = client.put(f"{BASE}/{product['id']}", json=put_body, headers=manager)
    assert replaced.status_code == 200 and replaced.json["cost"] == "1.50"


def test_lot_tracking_is_fixed_once_stock_exists(app, client, manager):
    store = create(client, manager, "stores", {"name": "Main", "code": "MAIN"})
    product = make(client, manager, "T1")
    ok = client.patch(f"{BASE}/{product['id']}", json={"track_lots": True}, headers=manager)
    assert ok.status_code == 200 and ok.json["track_lots"] is True
    client.patch(f"{BASE}/{product['id']}", json={"track_lots": False}, headers=manager)
    put_stock(app, product["id"], store["id"], "5")
    error = assert_error(client.patch(f"{BASE}/{product['id']}", json={"track_lots": True},
                                      headers=manager), 422)
    assert "track_lots" in error["errors"]["json"]
    same = client.patch(f"{BASE}/{product['id']}", json={"track_lots": False}, headers=manager)
    assert same.status_code == 200
    assert client.get(f"{BASE}/{product['id']}", headers=manager).json["track_lots"] is False


def test_stock_total_and_status(app, client, manager):
    s1 = create(client, manager, "stores", {"name": "One", "code": "S1"})
    s2 = create(client, manager, "stores", {"name": "Two", "code": "S2"})
    out = make(client, manager, "OUT", min_stock="1")
    low = make(client, manager, "LOW", min_stock="10")
    ok = make(client, manager, "OK", min_stock="2")
    reserved = make(client, manager, "RES", min_stock="0")
    put_stock(app, low["id"], s1["id"], "4.5")
    put_stock(app, low["id"], s2["id"], "5.5")
    put_stock(app, ok["id"], s1["id"], "3.25", reserved="1")
    put_stock(app, ok["id"], s2["id"], "0.1")
    put_stock(app, reserved["id"], s1["id"], "2", reserved="2")
    rows = {p["sku"]: p for p in client.get(BASE, headers=manager).json}
    assert (rows["OUT"]["stock_total"], rows["OUT"]["stock_status"]) == ("0.000", "out")
    assert (rows["LOW"]["stock_total"], rows["LOW"]["stock_status"]) == ("10.000", "low")
    assert (rows["OK"]["stock_total"], rows["OK"]["stock_status"]) == ("2.350", "in_stock")
    assert (rows["RES"]["stock_total"], rows["RES"]["stock_status"]) == ("0.000", "out")
    detail = client.get(f"{BASE}/{ok['id']}", headers=manager).json
    assert detail["stock_total"] == "2.350" and detail["stock_status"] == "in_stock"
    assert ids(client.get(BASE + "?stock_status=out", headers=manager)) == [out["id"], reserved["id"]]
    assert ids(client.get(BASE + "?stock_status=low", headers=manager)) == [low["id"]]
    assert ids(client.get(BASE + "?stock_status=in_stock", headers=manager)) == [ok["id"]]
    assert ids(client.get(f"{BASE}?store_id={s2['id']}", headers=manager)) == [low["id"], ok["id"]]
    assert ids(client.get(f"{BASE}?store_id={s1['id']}&sort=sku", headers=manager)) == [
        low["id"], ok["id"], reserved["id"]]
    by_stock = ids(client.get(BASE + "?sort=-stock_total", headers=manager))
    assert by_stock == [low["id"], ok["id"], reserved["id"], out["id"]]  # ties: newest first
    assert ids(client.get(BASE + "?sort=stock_total", headers=manager))[-2:] == [ok["id"], low["id"]]


def test_filters(client, manager):
    food = create(client, manager, "categories", {"name": "Food"})
    dairy = create(client, manager, "categories", {"name": "Dairy", "parent_id": food["id"]})
    cheese = create(client, manager, "categories", {"name": "Cheese", "parent_id": dairy["id"]})
    tools = create(client, manager, "categories", {"name": "Tools"})
    sup = create(client, manager, "suppliers", {"name": "Acme"})
    milk = make(client, manager, "MILK-1", name="Whole milk", category_id=dairy["id"], price="1.20",
                kind="finished_good", unit="l", barcode="0001")
    brie = make(client, manager, "BRIE", name="Brie", category_id=cheese["id"], price="7.50",
                preferred_supplier_id=sup["id"])
    bread = make(client, manager, "BREAD", name="Bread", category_id=food["id"], price="2.00")
    hammer = make(client, manager, "HAM-1", name="Hammer", category_id=tools["id"], price="15.00")
    flour = make(client, manager, "FLOUR", name="Flour", kind="raw_material", unit="kg", price="0.80")
    old = make(client, manager, "OLD", name="Old stuff", active=False)

    def get(query):
        return ids(client.get(f"{BASE}?{query}", headers=manager))

    assert get("") == [bread["id"], brie["id"], flour["id"], hammer["id"], milk["id"]]
    assert get(f"category_id={food['id']}") == [bread["id"], brie["id"], milk["id"]]
    assert get(f"category_id={dairy['id']}") == [brie["id"], milk["id"]]
    assert get(f"category_id={cheese['id']}") == [brie["id"]]
    assert get("category_id=999") == []
    assert get("kind=raw_material") == [flour["id"]]
    assert get("kind=finished_good") == [milk["id"]]
    assert get("min_price=2") == [bread["id"], brie["id"], hammer["id"]]
    assert get("max_price=1.20") == [flour["id"], milk["id"]]
    assert get("min_price=1&max_price=7.5") == [bread["id"], brie["id"], milk["id"]]
    assert get(f"supplier_id={sup['id']}") == [brie["id"]]
    assert get("q=MILK") == [milk["id"]]  # name
    assert get("q=ham-") == [hammer["id"]]  # sku
    assert get("q=0001") == [milk["id"]]  # barcode
    assert get("active=false") == [old["id"]]
    assert get("active=true&q=old") == []
    assert get("sort=-price") == [hammer["id"], brie["id"], bread["id"], milk["id"], flour["id"]]
    assert get("sort=price") == [flour["id"], milk["id"], bread["id"], brie["id"], hammer["id"]]
    assert get("sort=sku") == [bread["id"], brie["id"], flour["id"], hammer["id"], milk["id"]]
    assert get("sort=-name")[0] == milk["id"]
    assert get("sort=created_at") == [milk["id"], brie["id"], bread["id"], hammer["id"], flour["id"]]
    assert get("sort=-created_at")[0] == flour["id"]


@pytest.mark.parametrize("query", ["sort=cost", "sort=id", "page_size=101", "page=0", "kind=gadget",
                                   "min_price=-1", "min_price=1.234", "stock_status=bad",
                                   "category_id=abc", "active=perhaps"])
def test_bad_query_is_422(client, manager, query):
    error = assert_error(client.get(f"{BASE}?{query}", headers=manager), 422)
    assert "query" in error["errors"]


def test_pagination_header(client, manager):
    for n in range(7):
        make(client, manager, f"PG-{n}")
    response = client.get(BASE + "?page_size=3&page=2&sort=sku", headers=manager)
    assert [p["sku"] for p in response.json] == ["PG-3", "PG-4", "PG-5"]
    assert pagination(response) == {"total": 7, "total_pages": 3, "first_page": 1, "last_page": 3,
                                     "page": 2, "previous_page": 1, "next_page": 3}
    last = client.get(BASE + "?page_size=3&page=3&sort=sku", headers=manager)
    assert [p["sku"] for p in last.json] == ["PG-6"]
    assert "next_page" not in pagination(last)
    assert client.get(BASE + "?page_size=3&page=9", headers=manager).json == []


def test_trailing_slash_works_too(client, manager):
    make(client, manager, "TS")
    assert len(client.get(BASE + "/", headers=manager).json) == 1


def test_customer_view_lacks_cost_and_supplier_fields(client, auth, manager):
    sup = create(client, manager, "suppliers", {"name": "Acme"})
    product = make(client, manager, "CUST", cost="3.00", preferred_supplier_id=sup["id"],
                   min_stock="2", reorder_quantity="10")
    inactive = make(client, manager, "GONE", active=False)
    customer = auth("customer")
    listed = client.get(BASE, headers=customer)
    assert listed.status_code == 200
    assert [p["id"] for p in listed.json] == [product["id"]]
    detail = client.get(f"{BASE}/{product['id']}", headers=customer)
    assert detail.status_code == 200 and detail.headers["ETag"]
    for body in (listed.json[0], detail.json):
        assert not INTERNAL & set(body), body
        assert body["price"] == "1.00" and body["sku"] == "CUST"
        assert body["stock_status"] == "out"
    # inactive products do not exist for customers, whatever the filters say
    assert_error(client.get(f"{BASE}/{inactive['id']}", headers=customer), 404)
    assert client.get(BASE + "?active=false", headers=customer).json == []
    assert client.get(f"{BASE}?supplier_id={sup['id']}", headers=customer).json == []
    # staff still see the internal fields
    staff = client.get(f"{BASE}/{product['id']}", headers=auth("employee")).json
    assert staff["cost"] == "3.00" and staff["preferred_supplier_id"] == sup["id"]


def test_delete_without_history_removes(client, manager):
    product = make(client, manager, "DEL")
    response = client.delete(f"{BASE}/{product['id']}", headers=manager)
    assert response.status_code == 204 and response.data == b""
    assert_error(client.get(f"{BASE}/{product['id']}", headers=manager), 404)


def test_delete_with_movements_archives(app, client, manager):
    store = create(client, manager, "stores", {"name": "Main", "code": "MAIN"})
    product = make(client, manager, "ARC")
    put_stock(app, product["id"], store["id"], "1", with_movement=True)
    assert client.delete(f"{BASE}/{product['id']}", headers=manager).status_code == 204
    archived = client.get(f"{BASE}/{product['id']}", headers=manager)
    assert archived.status_code == 200 and archived.json["active"] is False
    assert client.get(BASE, headers=manager).json == []
    assert ids(client.get(BASE + "?active=false", headers=manager)) == [product["id"]]


def test_stale_if_match_is_412(client, manager):
    product = make(client, manager, "ETAG")
    etag = client.get(f"{BASE}/{product['id']}", headers=manager).headers["ETag"]
    updated = client.patch(f"{BASE}/{product['id']}", json={"price": "2"},
                           headers={**manager, "If-Match": etag})
    assert updated.status_code == 200 and updated.headers["ETag"] != etag
    stale = {**manager, "If-Match": etag}
    assert_error(client.patch(f"{BASE}/{product['id']}", json={"price": "3"}, headers=stale), 412)
    put_body = {"sku": "ETAG", "name": "x", "price": 1, "kind": "merchandise", "unit": "unit"}
    assert_error(client.put(f"{BASE}/{product['id']}", json=put_body, headers=stale), 412)
    assert_error(client.delete(f"{BASE}/{product['id']}", headers=stale), 412)
    assert client.get(f"{BASE}/{product['id']}", headers=manager).json["price"] == "2.00"
    # without If-Match the write goes through
    assert client.patch(f"{BASE}/{product['id']}", json={"price": "3"}, headers=manager).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(client, auth, manager, role):
    product = make(client, manager, "RM")
    headers = auth(role)
    assert client.get(BASE, headers=headers).status_code == 200
    assert client.get(f"{BASE}/{product['id']}", headers=headers).status_code == 200
    put_body = {"sku": "RM", "name": "Put", "price": 1, "kind": "merchandise", "unit": "unit"}
    writes = [
        (client.post(BASE, json={"sku": f"N-{role}", "name": "n", "price": 1}, headers=headers), 201),
        (client.patch(f"{BASE}/{product['id']}", json={"name": role}, headers=headers), 200),
        (client.put(f"{BASE}/{product['id']}", json=put_body, headers=headers), 200),
        (client.delete(f"{BASE}/{product['id']}", headers=headers), 204),
    ]
    for response, ok in writes:
        if role in ("manager", "admin"):
            assert response.status_code == ok, response.get_data(as_text=True)
        else:
            assert_error(response, 403)


def test_anonymous_is_401(client):
    assert_error(client.get(BASE), 401)
    assert_error(client.post(BASE, json={}), 401)


def test_huge_path_id_is_404_not_500(client, manager):
    for path in ("products", "categories", "suppliers", "clients", "stores"):
        assert_error(client.get(f"/api/v1/{path}/99999999999999999999999", headers=manager), 404)
        assert_error(client.patch(f"/api/v1/{path}/99999999999999999999999", json={},
                                  headers=manager), 404)


def test_boolean_fields_take_json_booleans_only(client, manager):
    error = assert_error(client.post(BASE, json={"sku": "B", "name": "b", "price": 1, "active": 0},
                                     headers=manager), 422)
    assert "active" in error["errors"]["json"]


def test_sku_keeps_its_spelling_and_stays_unique_whatever_the_case(client, manager):
    product = make(client, manager, "ab-1")
    assert product["sku"] == "ab-1"
    assert client.get(f"{BASE}/{product['id']}", headers=manager).json["sku"] == "ab-1"
    error = assert_error(client.post(BASE, json={"sku": "AB-1", "name": "x", "price": 1},
                                     headers=manager), 409)
    assert error["message"] == "A product with this SKU already exists."
    assert error["errors"] == {"sku": "AB-1"}
    # changing only the case of its own SKU is no conflict
    respelled = client.patch(f"{BASE}/{product['id']}", json={"sku": "Ab-1"}, headers=manager)
    assert respelled.status_code == 200 and respelled.json["sku"] == "Ab-1"
    for q in ("AB-1", "ab-1", "b-1"):
        assert ids(client.get(f"{BASE}?q={q}", headers=manager)) == [product["id"]], q


def test_barcode_keeps_its_spelling_and_stays_unique_whatever_the_case(client, manager):
    product = make(client, manager, "BC-1", barcode="abc-123")
    assert product["barcode"] == "abc-123"
    error = assert_error(client.post(BASE, json={"sku": "BC-2", "name": "x", "price": 1,
                                                 "barcode": "ABC-123"}, headers=manager), 409)
    assert error["errors"] == {"barcode": "ABC-123"}
    assert ids(client.get(f"{BASE}?q=ABC-1", headers=manager)) == [product["id"]]


def test_a_concurrent_duplicate_hits_the_unique_index_on_every_database(app):
    """Two writers that both passed the friendly check: the key column's index refuses one."""
    from sqlalchemy.exc import IntegrityError

    from inventory_api.extensions import db
    from inventory_api.products.models import Product

    with app.app_context():
        db.session.add(Product(sku="race-1", name="First", price=1))
        db.session.commit()
        db.session.add(Product(sku="RACE-1", name="Second", price=1))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        first = db.session.scalars(db.select(Product)).one()
        assert (first.sku, first.sku_key) == ("race-1", "race-1")


def test_delete_with_only_a_stock_count_line_archives(app, client, manager):
    """A zero count of something never stocked leaves a count line and no movement."""
    from decimal import Decimal

    from inventory_api.extensions import db
    from inventory_api.stock.models import StockCount, StockCountLine

    store = create(client, manager, "stores", {"name": "Main", "code": "MAIN"})
    product = make(client, manager, "COUNTED")
    with app.app_context():
        count = StockCount(store_id=store["id"])
        db.session.add(count)
        db.session.flush()
        db.session.add(StockCountLine(count_id=count.id, product_id=product["id"],
                                      expected_quantity=Decimal(0), counted_quantity=Decimal(0),
                                      difference=Decimal(0)))
        db.session.commit()
    assert client.delete(f"{BASE}/{product['id']}", headers=manager).status_code == 204
    assert client.get(f"{BASE}/{product['id']}", headers=manager).json["active"] is False
