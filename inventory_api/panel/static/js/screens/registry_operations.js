// The operations screens (see registry.js): the customer's shop and account,
// the orders board, stock counts, transfers, store inventory, alerts and the
// movement ledger.

import { MANAGERS, STAFF } from "../roles.js";
import { Account, Cart, Catalog } from "./customer.js";
import { AlertEvents, StoreInventory } from "./inventory.js";
import { Ledger } from "./ledger.js";
import { MyOrders, OrderBoard, OrderDetail } from "./orders.js";
import { StockCount } from "./stockcount.js";
import { TransferDetail, TransferList, TransferNew } from "./transfers.js";

// roles.js has no list for the customer alone; its screens are for buyers only.
const CUSTOMER = ["customer"];

export default [
  { path: "shop", title: "Catalog", roles: CUSTOMER, nav: true, view: Catalog },
  { path: "cart", title: "Cart", roles: CUSTOMER, nav: true, view: Cart },
  { path: "my-orders", title: "My orders", roles: CUSTOMER, nav: true, view: MyOrders },
  { path: "my-orders/:id", title: "Order", roles: CUSTOMER, view: OrderDetail },
  { path: "account", title: "My account", roles: CUSTOMER, nav: true, view: Account },
  { path: "orders", title: "Orders", roles: STAFF, nav: true, view: OrderBoard },
  { path: "orders/:id", title: "Order", roles: STAFF, view: OrderDetail },
  { path: "stock-count", title: "Stock count", roles: MANAGERS, nav: true, view: StockCount },
  { path: "transfers", title: "Transfers", roles: STAFF, nav: true, view: TransferList },
  { path: "transfers/new", title: "New transfer", roles: MANAGERS, view: TransferNew },
  { path: "transfers/:id", title: "Transfer", roles: STAFF, view: TransferDetail },
  { path: "inventory", title: "Store inventory", roles: STAFF, nav: true, view: StoreInventory },
  { path: "alerts", title: "Stock alerts", roles: STAFF, nav: true, view: AlertEvents },
  { path: "ledger", title: "Movements", roles: STAFF, nav: true, view: Ledger },
];
