import Dispatch
import Foundation
import LicenseModel

/// Writes a big Graph list file (`{"formatVersion": 1, "value": [...]}`) in chunks of elements
/// encoded on every core and handed over in order, so a compaction of a million users never
/// holds the whole file in memory and uses both cores. The bytes are exactly those of
/// `StateJSON.encode(file)`: the elements are encoded with the same encoder as arrays of their
/// own, indented one level deeper (pretty printing indents by two spaces per level, and a raw
/// newline only ever separates lines, since strings escape theirs), and spliced into the
/// envelope where its empty `value` array was.
enum ChunkedListEncoding {
    static let chunkSize = 2_048

    static func encode<Element: Codable & Sendable>(
        _ file: GraphListFile<Element>, chunkSize: Int = chunkSize, into consume: (Data) throws -> Void
    ) throws {
        var envelope = file
        envelope.value = []
        let empty = try StateJSON.encode(envelope)
        let marker = Data("\"value\" : [\n\n  ]".utf8)
        guard file.value.count > chunkSize, let hole = empty.range(of: marker) else {
            return try consume(try StateJSON.encode(file))
        }
        try consume(empty[empty.startIndex..<hole.lowerBound] + Data("\"value\" : [\n".utf8))
        let values = file.value
        let chunks = (values.count + chunkSize - 1) / chunkSize
        let batch = max(2, ProcessInfo.processInfo.activeProcessorCount)
        var first = 0
        while first < chunks {
            let count = min(batch, chunks - first)
            let slots = EncodedChunks(count: count)
            let start = first
            DispatchQueue.concurrentPerform(iterations: count) { offset in
                let chunk = start + offset
                let elements = Array(values[(chunk * chunkSize)..<min(values.count, (chunk + 1) * chunkSize)])
                slots.store(try? indentedElements(elements), at: offset)
            }
            for (offset, data) in slots.all.enumerated() {
                guard let data else { throw EncodingError.invalidValue(values, .init(codingPath: [], debugDescription: "a chunk did not encode")) }
                try consume(start + offset == 0 ? data : Data(",\n".utf8) + data)
            }
            first += count
        }
        try consume(Data("\n  ]".utf8) + empty[hole.upperBound...])
    }

    /// The elements as the inside of the file's `value` array: without the brackets of their
    /// own array, every line two spaces further in (the empty line of an empty array stays
    /// empty, as the encoder writes it).
    private static func indentedElements<Element: Encodable>(_ elements: [Element]) throws -> Data {
        let array = try StateJSON.encoder().encode(elements)
        // "[\n" + lines + "\n]", copied a line at a time.
        var out = [UInt8]()
        array.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            let inner = bytes[2..<(bytes.count - 2)]
            out.reserveCapacity(inner.count + inner.count / 8)
            var start = inner.startIndex
            while start < inner.endIndex {
                let end = inner[start...].firstIndex(of: 0x0A).map { $0 + 1 } ?? inner.endIndex
                if end - start > 1 || inner[start] != 0x0A { out.append(contentsOf: [0x20, 0x20]) }
                out.append(contentsOf: inner[start..<end])
                start = end
            }
        }
        return Data(out)
    }
}

/// One slot per chunk of a batch, each written once by its worker.
private final class EncodedChunks: @unchecked Sendable {
    private var slots: [Data?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ data: Data?, at index: Int) {
        lock.lock()
        slots[index] = data
        lock.unlock()
    }

    var all: [Data?] { slots }
}
