internal import COpenSSL
import Foundation

/// An RFC 3161 time-stamp response (`TimeStampResp`, as Sigstore bundles carry it in `rfc3161Timestamps`): a
/// timestamp authority's signed statement that a digest existed at a time.
///
/// Parsing reads the status, the time and the message imprint, none of which is trusted until `verify` has checked
/// the CMS signature against a TSA's certificates and the imprint against the data.
public final class RFC3161Timestamp: @unchecked Sendable {
    // The response is never mutated after parsing; OpenSSL reads it during verification only.
    private let response: OpaquePointer
    /// The TSA's `genTime`, to the second.
    public let time: Date
    /// The hash the imprint was made with, as OpenSSL names it (`SHA256`, `SHA512`, …).
    public let imprintAlgorithm: String
    public let imprint: [UInt8]

    /// Parses a DER `TimeStampResp`; a response that does not grant a token is refused.
    public init(der: [UInt8]) throws {
        guard !der.isEmpty else { throw CryptoError(.malformedTimestamp, "the time-stamp response is empty") }
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_TS_RESP(nil, &cursor, buffer.count)
        }
        guard let parsed else {
            throw CryptoError.openSSL(.malformedTimestamp, "not a DER RFC 3161 time-stamp response")
        }
        response = parsed
        var status: Int = -1
        if let info = TS_RESP_get_status_info(parsed), let value = TS_STATUS_INFO_get0_status(info) {
            status = ASN1_INTEGER_get(value)
        }
        guard status == TS_STATUS_GRANTED || status == TS_STATUS_GRANTED_WITH_MODS else {
            TS_RESP_free(parsed)
            throw CryptoError(.malformedTimestamp, "the time-stamp response does not grant a token (status \(status))")
        }
        guard let info = TS_RESP_get_tst_info(parsed), TS_RESP_get_token(parsed) != nil,
            let generalized = TS_TST_INFO_get_time(info), let imprintInfo = TS_TST_INFO_get_msg_imprint(info),
            let algorithm = TS_MSG_IMPRINT_get_algo(imprintInfo), let message = TS_MSG_IMPRINT_get_msg(imprintInfo)
        else {
            TS_RESP_free(parsed)
            throw CryptoError.openSSL(.malformedTimestamp, "the time-stamp response carries no complete token")
        }
        var parts = tm()
        guard ASN1_TIME_to_tm(generalized, &parts) == 1 else {
            TS_RESP_free(parsed)
            throw CryptoError.openSSL(.malformedTimestamp, "the time-stamp token's time does not parse")
        }
        time = Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
        var object: OpaquePointer?
        X509_ALGOR_get0(&object, nil, nil, algorithm)
        let nid = object.map { OBJ_obj2nid($0) } ?? NID_undef
        imprintAlgorithm = OBJ_nid2sn(nid).map { String(cString: $0) } ?? "unknown"
        imprint = X509Certificate.bytes(of: UnsafePointer(message))
    }

    deinit {
        TS_RESP_free(response)
    }

    /// Checks the token: its CMS signature by a certificate that chains, through `chain` (the TSA's certificates,
    /// leaf first, root last, as a Sigstore trusted root lists them), to that chain's root, with extended key usage
    /// timeStamping and every certificate valid at the token's own time; and its imprint, recomputed over `data`
    /// with the token's hash. The certificates embedded in the token are only used to find the path, never trusted.
    ///
    /// - Throws: `CryptoError` (`.timestampRejected`) saying which check failed.
    public func verify(data: [UInt8], chain: [X509Certificate]) throws {
        guard let root = chain.last else {
            throw CryptoError(.timestampRejected, "the timestamp authority has no certificates")
        }
        guard let context = TS_VERIFY_CTX_new() else {
            throw CryptoError.openSSL(.timestampRejected, "cannot allocate a time-stamp verification context")
        }
        // The context owns the store, the certificate list and the data from here on.
        defer { TS_VERIFY_CTX_free(context) }
        guard let store = X509_STORE_new() else {
            throw CryptoError.openSSL(.timestampRejected, "cannot allocate a certificate store")
        }
        TS_VERIFY_CTX_set_store(context, store)
        guard X509_STORE_add_cert(store, root.x509) == 1, let parameters = X509_STORE_get0_param(store) else {
            throw CryptoError.openSSL(.timestampRejected, "cannot add the TSA root \(root.displayName)")
        }
        // Certificates are judged at the time the TSA claims, which must itself lie in their validity.
        X509_VERIFY_PARAM_set_time(parameters, time_t(time.timeIntervalSince1970.rounded(.down)))
        X509_VERIFY_PARAM_clear_flags(parameters, UInt(X509_V_FLAG_PARTIAL_CHAIN))
        guard let untrusted = OPENSSL_sk_new_null() else {
            throw CryptoError.openSSL(.timestampRejected, "cannot allocate a certificate list")
        }
        TS_VERIFY_CTX_set_certs(context, untrusted)
        for certificate in chain.dropLast() {
            X509_up_ref(certificate.x509)
            guard OPENSSL_sk_push(untrusted, UnsafeRawPointer(certificate.x509)) > 0 else {
                X509_free(certificate.x509)
                throw CryptoError.openSSL(.timestampRejected, "cannot build the certificate list")
            }
        }
        let bio = data.withUnsafeBytes { buffer -> OpaquePointer? in
            // BIO_new_mem_buf does not copy; the bytes are copied into a BIO of its own so they outlive this call.
            guard let bio = BIO_new(BIO_s_mem()) else { return nil }
            if !buffer.isEmpty, BIO_write(bio, buffer.baseAddress, Int32(buffer.count)) != Int32(buffer.count) {
                BIO_free(bio)
                return nil
            }
            return bio
        }
        guard let bio else { throw CryptoError.openSSL(.timestampRejected, "cannot hold the timestamped data") }
        TS_VERIFY_CTX_set_data(context, bio)
        TS_VERIFY_CTX_set_flags(context, Int32(TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_DATA))
        guard TS_RESP_verify_response(context, response) == 1 else {
            let errors = OpenSSLErrorQueue.drain()
            let imprintMismatch = errors.contains { $0.contains("message imprint mismatch") }
            throw CryptoError(
                .timestampRejected,
                imprintMismatch
                    ? "the timestamp's message imprint is not the \(imprintAlgorithm) digest of the signature"
                    : "the timestamp does not verify with the TSA \(root.displayName)",
                openSSLErrors: errors)
        }
    }
}
