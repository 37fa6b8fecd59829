// The business screens (see registry.js): money owed and paid, clients,
// purchasing, suppliers and reports.

import { MANAGERS, STAFF } from "../roles.js";
import { ClientDetail, ClientEdit, ClientList, ClientNew } from "./clients.js";
import { DebtDetail, DebtList, PaymentList, PaymentNew } from "./money.js";
import { PurchaseOrderDetail, PurchaseOrderList, PurchaseOrderNew } from "./purchasing.js";
import { Reports } from "./reports.js";
import { SupplierDetail, SupplierList } from "./suppliers.js";

export default [
  { path: "debts", title: "Debts", roles: STAFF, nav: true, view: DebtList },
  { path: "debts/:id", title: "Debt", roles: STAFF, view: DebtDetail },
  { path: "payments", title: "Payments", roles: STAFF, nav: true, view: PaymentList },
  { path: "payments/new", title: "Record a payment", roles: STAFF, view: PaymentNew },
  { path: "clients", title: "Clients", roles: STAFF, nav: true, view: ClientList },
  { path: "clients/new", title: "New client", roles: STAFF, view: ClientNew },
  { path: "clients/:id", title: "Client", roles: STAFF, view: ClientDetail },
  { path: "clients/:id/edit", title: "Edit client", roles: STAFF, view: ClientEdit },
  { path: "purchase-orders", title: "Purchasing", roles: STAFF, nav: true, view: PurchaseOrderList },
  { path: "purchase-orders/new", title: "New purchase order", roles: MANAGERS, view: PurchaseOrderNew },
  { path: "purchase-orders/:id", title: "Purchase order", roles: STAFF, view: PurchaseOrderDetail },
  { path: "suppliers", title: "Suppliers", roles: STAFF, nav: true, view: SupplierList },
  { path: "suppliers/:id", title: "Supplier", roles: STAFF, view: SupplierDetail },
  { path: "reports", title: "Reports", roles: MANAGERS, nav: true, view: Reports },
];
