import logging
import sys

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def handler(event, context):
    logger.info("hello from %s", event["who"])
    print("printed")
    # The SDK shim imports boto3 only for handlers that import it.
    return {"boto3Loaded": "boto3" in sys.modules}
