// registry: placeholder, replaced by its implementation.
#include "tls/wire/registry.h"
