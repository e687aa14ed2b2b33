// make_self_signed: an in-memory EC P-256 key and a self-signed certificate
// for the built-in reference peers (the full test PKI comes with `smtpeer certs`).
#pragma once

#include <string>

#include "core/result.h"

namespace smtpeer::tls {

struct Identity {
  std::string cert_pem;
  std::string key_pem;
};

Result<Identity> make_self_signed(const std::string& common_name, int days = 30);

}  // namespace smtpeer::tls
