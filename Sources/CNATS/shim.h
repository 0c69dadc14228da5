#ifndef SIMPUL_CNATS_SHIM_H
#define SIMPUL_CNATS_SHIM_H
#include <nats/nats.h>
#endif
