def handler(event, context):
    return {"total": sum(i["price"] * i["qty"] for i in event["order"]["items"])}
