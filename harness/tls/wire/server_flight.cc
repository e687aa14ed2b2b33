// server_flight: placeholder, replaced by its implementation.
#include "tls/wire/server_flight.h"
