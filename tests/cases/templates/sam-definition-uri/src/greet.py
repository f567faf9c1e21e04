def handler(event, context):
    return {"text": event["greeting"] + ", " + event["name"] + event["punctuation"]}
