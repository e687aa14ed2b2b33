// client_hello: placeholder, replaced by its implementation.
#include "tls/wire/client_hello.h"
