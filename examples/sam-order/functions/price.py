"""PriceFunction: the order's total, sum of price times quantity."""


def handler(event, context):
    items = event["order"]["items"]
    return {"total": sum(item["price"] * item["qty"] for item in items)}
