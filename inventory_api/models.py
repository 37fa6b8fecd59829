"""Imports every domain's models so that the metadata (and Alembic) sees them all."""

from .auth.models import ApiKey, RevokedToken  # noqa: F401
from .categories.models import Category  # noqa: F401
from .clients.models import Client  # noqa: F401
from .common.models import IdempotencyKey  # noqa: F401
from .debts.models import Debt, Payment, PaymentAllocation  # noqa: F401
from .orders.models import (  # noqa: F401
    Order,
    OrderLine,
    OrderReservation,
    OrderStatusChange,
)
from .products.models import Product  # noqa: F401
from .purchasing.evaluation_models import SupplierRating  # noqa: F401
from .purchasing.models import (  # noqa: F401
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    PurchaseReceiptLine,
    PurchaseReturn,
    PurchaseReturnLine,
)
from .sales.models import (  # noqa: F401
    DocumentCounter,
    Sale,
    SaleLine,
    SaleLineLot,
    SaleReturn,
    SaleReturnLine,
)
from .stock.models import (  # noqa: F401
    Lot,
    LowStockEvent,
    Movement,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMinimum,
    Transfer,
    TransferLine,
)
from .stores.models import Store  # noqa: F401
from .suppliers.models import Supplier  # noqa: F401
from .users.models import User, user_stores  # noqa: F401
