print("usage: simpul-crash-workload DIR")
