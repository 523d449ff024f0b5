#ifndef MODEL_AUDIT_COPENSSL_SHIM_H
#define MODEL_AUDIT_COPENSSL_SHIM_H

/* The ENGINE interface (keys in PKCS#11 tokens through libp11's pkcs11 engine) is deprecated in OpenSSL 3 but is
   the route Debian ships; the declarations stay usable without deprecation attributes. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/err.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>
#include <openssl/bn.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/x509_vfy.h>
#include <openssl/ct.h>
#include <openssl/core_names.h>
#include <openssl/engine.h>
#include <openssl/ts.h>

#endif
