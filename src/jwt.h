/* Signed JSON Web Tokens for the OAuth2 JWT-bearer grant (RFC 7523) that
 * service account keys use: RS256 only, since Google issues RSA keys.
 * OpenSSL's EVP interface does the signing. */
#ifndef GCSPLAN_JWT_H
#define GCSPLAN_JWT_H

#include "internal.h"

/* The longest claim string (an email, a URL, a scope) accepted. */
#define GCSPLAN__JWT_CLAIM_MAX 2048
/* The biggest PEM private key accepted (an RSA 8192 key is about 6.5 KiB). */
#define GCSPLAN__JWT_PEM_MAX (16 * 1024)

typedef struct gcsplan__jwt_claims {
    const char *kid;   /* the key's private_key_id for the header, or NULL */
    const char *iss;   /* the service account email */
    const char *scope;
    const char *aud;   /* the token endpoint */
    long long iat;     /* seconds since the epoch */
    long long exp;
} gcsplan__jwt_claims;

/* Sign the claims with the PEM private key (PKCS#8 or PKCS#1, unencrypted)
 * into "header.claims.signature", base64url without padding. *out is
 * allocated with a and owned by the caller, who should wipe it: it is a
 * bearer credential for as long as it is valid. Errors never quote the key.
 * Thread-safe. */
int gcsplan__jwt_sign_rs256(char **out, const gcsplan_allocator *a, const char *pem,
                            const gcsplan__jwt_claims *claims, gcsplan_error *err);

#endif
