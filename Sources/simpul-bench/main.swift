print("usage: simpul-bench NAME [--json]")
