"""The role → permissions table: the one place that says who may do what.

docs/api.md § "Roles and permissions" summarises it. Routes name a permission
with `@require("products:write")`; nothing else checks roles by name, except
customer data scoping (a customer sees only its own records).
"""

ROLES = ("admin", "manager", "employee", "customer")

_CUSTOMER = {
    "products:read",
    "categories:read",
    "orders:read_own",
    "orders:create",
    "orders:cancel_own",
    "debts:read_own",
    "payments:read_own",
    "clients:read_own",
    "clients:statement_own",
    "profile",
}

_EMPLOYEE = {
    "profile",
    "products:read",
    "categories:read",
    "suppliers:read",
    "stores:read",
    "clients:read",
    "clients:write",
    "stock:read",
    "stock:move",  # receipts and issues
    "sales:read",
    "sales:create",
    "sales:return",
    "orders:read",
    "orders:create",
    "orders:advance",
    "debts:read",
    "payments:read",
    "payments:create",
    "purchasing:read",
    "purchasing:receive",
}

_MANAGER = _EMPLOYEE | {
    "products:write",
    "categories:write",
    "suppliers:write",
    "suppliers:performance",
    "stores:write",
    "clients:delete",
    "clients:insights",
    "stock:adjust",
    "stock:transfer",
    "stock:count",
    "stock:min_stock",
    "lots:trace",
    "sales:cancel",
    "orders:cancel",
    "purchasing:write",
    "reports:read",
}

_ADMIN = _MANAGER | {"users:read", "users:write", "api_keys:read", "api_keys:write"}

PERMISSIONS = {
    "admin": frozenset(_ADMIN),
    "manager": frozenset(_MANAGER),
    "employee": frozenset(_EMPLOYEE),
    "customer": frozenset(_CUSTOMER),
}


def has_permission(role, permission):
    return permission in PERMISSIONS.get(role, ())
