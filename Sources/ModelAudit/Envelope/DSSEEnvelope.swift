import AuditCrypto
import Foundation

/// A DSSE envelope: a typed payload and the signatures over its pre-authentication encoding (PAE).
///
/// See the DSSE protocol: signatures cover `PAE(payloadType, payload)`, never the JSON of the envelope, so the
/// envelope's own encoding may change (base64 alphabet, key order, keyid hints) without invalidating anything.
public struct DSSEEnvelope: Sendable, Equatable {
    /// The in-toto Statement payload type.
    public static let inTotoPayloadType = "application/vnd.in-toto+json"
    /// Signatures beyond this count are refused, bounding the work an envelope can demand.
    public static let maxSignatures = 64

    public var payloadType: String
    public var payload: [UInt8]
    public var signatures: [DSSESignature]

    public init(payloadType: String, payload: [UInt8], signatures: [DSSESignature] = []) {
        self.payloadType = payloadType
        self.payload = payload
        self.signatures = signatures
    }

    /// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths as ASCII decimal byte counts.
    public static func preAuthenticationEncoding(payloadType: String, payload: [UInt8]) -> [UInt8] {
        let type = Array(payloadType.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(16 + type.count + payload.count)
        out.append(contentsOf: "DSSEv1 \(type.count) ".utf8)
        out.append(contentsOf: type)
        out.append(contentsOf: " \(payload.count) ".utf8)
        out.append(contentsOf: payload)
        return out
    }

    /// The bytes every signature of this envelope covers.
    public var preAuthenticationEncoding: [UInt8] {
        Self.preAuthenticationEncoding(payloadType: payloadType, payload: payload)
    }

    /// Signs the payload with `key` and appends the signature; the payload and other signatures are untouched.
    public mutating func addSignature(by key: PrivateKey, scheme: SignatureScheme? = nil) throws {
        let signature = try key.signature(for: preAuthenticationEncoding, scheme: scheme)
        signatures.append(DSSESignature(keyID: key.publicKey.keyID, signature: signature))
    }

    /// A new envelope over `payload` signed by each of `keys` in order.
    public static func sign(
        payload: [UInt8], payloadType: String, keys: [(key: PrivateKey, scheme: SignatureScheme?)]
    ) throws -> DSSEEnvelope {
        var envelope = DSSEEnvelope(payloadType: payloadType, payload: payload)
        for (key, scheme) in keys {
            try envelope.addSignature(by: key, scheme: scheme)
        }
        return envelope
    }
}

/// One signature in a DSSE envelope. `keyID` is only a hint for finding the key; it is never trusted.
public struct DSSESignature: Sendable, Equatable {
    public var keyID: String?
    public var signature: [UInt8]

    public init(keyID: String?, signature: [UInt8]) {
        self.keyID = keyID
        self.signature = signature
    }
}

/// Why bytes are not a usable DSSE envelope.
public struct EnvelopeError: AuditError, Equatable {
    public var code: AuditErrorCode { .malformedInput }
    public var jsonPointer: String? { pointer }

    public let message: String
    /// JSON pointer to the offending member, when there is one.
    public let pointer: String?

    public init(_ message: String, pointer: String? = nil) {
        self.message = message
        self.pointer = pointer
    }

    public var description: String {
        // Decoder problems already name their pointer in the message.
        guard let pointer, !pointer.isEmpty, !message.contains(pointer) else { return message }
        return "\(pointer): \(message)"
    }
}

extension DSSEEnvelope {
    /// Parses an envelope from untrusted bytes through the strict JSON parser.
    ///
    /// Unknown members are rejected, `payload` and `sig` must be base64 (standard or URL-safe).
    public static func decode(_ bytes: [UInt8], limits: JSONLimits = .default) throws -> DSSEEnvelope {
        let value = try StrictJSON.parse(bytes, limits: limits)
        return try decode(value)
    }

    static func decode(_ value: JSONValue) throws -> DSSEEnvelope {
        let log = ProblemLog()
        var payloadType: String?
        var payloadText: String?
        var signatureTexts: [(keyID: String?, sig: String)]?
        if let reader = ObjectReader.make(value, pointer: "", log: log) {
            payloadType = reader.text("payloadType")
            payloadText = reader.text("payload")
            signatureTexts = reader.objects("signatures") { entry in
                defer { entry.finish() }
                let keyID = entry.text("keyid", required: false)
                return entry.text("sig").map { (keyID, $0) }
            }
            reader.finish()
        }
        if let first = log.problems.first {
            let all = log.problems.map(\.description).joined(separator: "; ")
            throw EnvelopeError("not a DSSE envelope: \(all)", pointer: first.pointer)
        }
        guard let payloadType, let payloadText, let signatureTexts else {
            throw EnvelopeError("not a DSSE envelope", pointer: "")
        }
        guard let payload = Base64.decode(payloadText) else {
            throw EnvelopeError("payload is not valid base64", pointer: "/payload")
        }
        guard signatureTexts.count <= maxSignatures else {
            throw EnvelopeError(
                "\(signatureTexts.count) signatures exceed the limit of \(maxSignatures)", pointer: "/signatures")
        }
        var signatures: [DSSESignature] = []
        for (index, entry) in signatureTexts.enumerated() {
            guard let sig = Base64.decode(entry.sig) else {
                throw EnvelopeError("signature is not valid base64", pointer: "/signatures/\(index)/sig")
            }
            signatures.append(DSSESignature(keyID: entry.keyID, signature: sig))
        }
        return DSSEEnvelope(payloadType: payloadType, payload: payload, signatures: signatures)
    }

    /// The envelope as pretty-printed JSON with sorted keys and standard base64, ending in a newline.
    public func encoded() throws -> [UInt8] {
        // Escaped like every printed JSON document: the payload type is input and may be echoed to a terminal.
        JSONText.terminalSafe(try CanonicalJSON.pretty(wire)) + [UInt8(ascii: "\n")]
    }

    /// The envelope as one line of compact JSON with sorted keys (no newline), as custody bundles hold it.
    public func encodedLine() throws -> [UInt8] {
        try CanonicalJSON.encode(wire)
    }

    private var wire: WireEnvelope {
        WireEnvelope(
            payloadType: payloadType,
            payload: Base64.encode(payload),
            signatures: signatures.map { WireSignature(keyid: $0.keyID, sig: Base64.encode($0.signature)) })
    }
}

private struct WireEnvelope: Encodable {
    var payloadType: String
    var payload: String
    var signatures: [WireSignature]
}

private struct WireSignature: Encodable {
    var keyid: String?
    var sig: String

    private enum CodingKeys: String, CodingKey { case keyid, sig }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(keyid, forKey: .keyid)
        try container.encode(sig, forKey: .sig)
    }
}
