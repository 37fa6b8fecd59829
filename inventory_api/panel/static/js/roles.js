// Role lists for route entries (who may open a screen). They mirror the
// API's permission table only as far as the navigation needs: the API still
// decides, and a 403 is shown like any other error.

export const ADMIN = ["admin"];
export const MANAGERS = ["admin", "manager"];
export const STAFF = ["admin", "manager", "employee"];
export const EVERYONE = ["admin", "manager", "employee", "customer"];
