# Imported by handler.py: the handler's folder is on the module path, as on AWS.
def greet(name):
    return f"hello, {name}"
