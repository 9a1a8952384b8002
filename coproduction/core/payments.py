"""Paying people for their time: the ledger, settlement, and a plain benefits warning.

Expenses are kept apart from payment for time. The ledger exports for a
finance team with the finance reference only: no chosen names, no ids.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..privacy.outputs import OutputFolder
from ..store import Store
from ..store.schema import SETTLEMENTS
from .languages import N_, _
from .participants import active_row
from .validation import InvalidInput, choose, clean_text, whole_number

# Settlements that may count as earnings for someone on benefits, and what to offer instead.
BENEFITS_WARNING = {
    "voucher": N_("Vouchers can count as earnings for someone on benefits. Ask first; they may "
               "prefer repaid expenses only, a gift to a charity, or to decline."),
    "cash": N_("Cash payments can count as earnings for someone on benefits. Ask first; they may "
            "prefer repaid expenses only, a gift to a charity, or to decline."),
    "bank": N_("Payments can count as earnings for someone on benefits. Ask first, and point "
            "them to free benefits advice before they decide."),
}
#: How people read the common currencies: "£25", not "GBP 25" (a code is a short form).
FINANCE_COLUMNS = ["payee_ref", "session_id", "minutes", "rate", "amount", "expenses",
                   "settlement", "settled_at"]


def benefits_warning(settlement: str) -> str:
    return _(BENEFITS_WARNING.get(settlement, ""))


def add_time(store: Store, *, participant_id: str | None, session_id: object,
             payee_ref: object, minutes: object, settlement: object = "bank",
             expenses: object = 0.0) -> int:
    """Add a ledger line for time given, at the workshop's rate."""
    ref = clean_text(payee_ref, what=N_("the finance reference"), max_length=80)
    minutes = whole_number(minutes, what=N_("the minutes given"), low=0, high=24 * 60)
    settlement = choose(settlement, SETTLEMENTS, what=N_("how it is settled"))
    if isinstance(expenses, bool) or not isinstance(expenses, int | float) or not (
            0 <= expenses <= 100000):
        raise InvalidInput(_("Please give expenses as an amount from 0 upwards."))
    with store.transaction() as tx:
        rate = tx.select("workshop")[0]["pay_rate"]
        if not isinstance(session_id, int) or not tx.select("sessions",
                                                            {"session_id": session_id}):
            raise InvalidInput(_("That session does not exist."))
        if participant_id is not None and active_row(tx, participant_id) is None:
            raise InvalidInput(_("Nobody with that id is taking part."))
        amount = 0.0 if settlement == "declined" else round(minutes / 60 * rate, 2)
        return tx.insert("payments", {
            "participant_id": participant_id, "session_id": session_id, "payee_ref": ref,
            "minutes": minutes, "rate": rate, "amount": amount,
            "expenses": float(expenses), "settlement": settlement})


def mark_settled(store: Store, payment_id: object) -> None:
    with store.transaction() as tx:
        if not isinstance(payment_id, int) or not tx.select("payments",
                                                            {"payment_id": payment_id}):
            raise InvalidInput(_("That ledger line does not exist."))
        tx.update("payments", {"payment_id": payment_id}, {"settled_at": tx.now()})


def export_ledger(store: Store, path: Path | str) -> int:
    """Write the ledger for a finance team (no names, no ids); return the number of lines.

    A file of that name which the kit did not write is never overwritten
    (:class:`coproduction.privacy.outputs.NotTheKitsFile`).
    """
    path = Path(path)
    rows = store.select("payments", order_by="payment_id")
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(FINANCE_COLUMNS)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in FINANCE_COLUMNS])
    with OutputFolder(store, path.parent, "ledger") as folder:
        folder.write(path.name, text.getvalue())
    return len(rows)
