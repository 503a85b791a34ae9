import Dispatch
import Foundation
import LicenseModel

/// An element type's own reader of list files (`UserBytesReading`, `GroupBytesReading`): over
/// given element ranges, or over a run of elements from a place where one begins.
struct ListReader<Element>: Sendable {
    let ranges: @Sendable (UnsafeRawBufferPointer, ArraySlice<Range<Int>>) -> [Element]?
    let run: @Sendable (UnsafeRawBufferPointer, Int, Int) -> JSONListRun<Element>?
}

/// A big list file read on every core without first scanning it end to end for where its
/// elements are (one core's pass over the whole file, a quarter of the load at a million users).
/// Instead the `value` array is cut at guessed places — past every few megabytes, where a line
/// holding the first element's indentation and `},` ends (`elementClosing`) — and each run from a cut to the next is read at once. A guess can be wrong (the
/// bytes could sit inside a string or a nested object); it is *checked*, not trusted: the first
/// run starts where the array's first element does, every run must end exactly where the next
/// begins, and only the last may close the array. If any run fails that, or its reader stands
/// aside, the answer is nil and the caller scans the file properly (`ParallelListDecoding`).
enum SpeculativeListDecoding {
    static func decode<Element: Decodable & Sendable>(
        _ data: Data, reader: ListReader<Element>, runBytes: Int, settle: (@Sendable (inout [Element]) -> Void)?
    ) -> GraphListFile<Element>? {
        let cut: (open: Int, starts: [Int])? = data.withUnsafeBytes { bytes in
            guard let open = valueOpening(bytes) else { return nil }
            var reader = JSONByteReader(bytes, offset: open + 1)
            guard reader.peek() != 0x5D, reader.peek() != nil else { return nil }  // empty: nothing to gain
            var starts = [reader.offset]
            guard let closing = elementClosing(in: bytes, firstElement: reader.offset) else { return nil }
            while let next = nextCut(in: bytes, after: starts[starts.count - 1] + runBytes, closing: closing) { starts.append(next) }
            return (open, starts)
        }
        guard let (open, starts) = cut else { return nil }
        let results = SliceResults<Element>(count: starts.count)
        let ends = SliceResults<Int>(count: starts.count)
        DispatchQueue.concurrentPerform(iterations: starts.count) { index in
            let last = index == starts.count - 1
            let before = last ? Int.max : starts[index + 1]
            guard var run = data.withUnsafeBytes({ reader.run($0, starts[index], before) }),
                run.closed == last, last || run.next == before
            else {
                results.store(nil, at: index)
                return ends.store(nil, at: index)
            }
            settle?(&run.elements)
            results.store(run.elements, at: index)
            ends.store([run.next], at: index)
        }
        guard let value = results.joined(), let closedAt = ends.joined()?.last else { return nil }
        // The envelope without its elements: formatVersion and any other fields, decoded as ever.
        var envelope = Data(data[data.startIndex..<(data.startIndex + open)])
        envelope.append(contentsOf: Array("[]".utf8))
        envelope.append(data[(data.startIndex + closedAt)..<data.endIndex])
        guard var file = try? StateJSON.decoder().decode(GraphListFile<Element>.self, from: envelope) else { return nil }
        file.value = value
        return file
    }

    /// Where the `[` of the top-level `value` is, the fields before it skipped.
    static func valueOpening(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var scanner = ByteScanner(bytes)
        guard scanner.expect(UInt8(ascii: "{")) else { return nil }
        while true {
            scanner.skipWhitespace()
            guard let key = scanner.string(), scanner.expect(UInt8(ascii: ":")) else { return nil }
            scanner.skipWhitespace()
            if key == "value" { return scanner.peek == UInt8(ascii: "[") ? scanner.offset : nil }
            guard scanner.skipValue() else { return nil }
            guard scanner.expect(UInt8(ascii: ",")) else { return nil }
        }
    }

    /// How a top-level element's closing line begins in a file written one field a line:
    /// a newline, the first element's indentation, `}`. Nested objects sit deeper, so this
    /// finds element ends only (a guess all the same: checked, see above). Nil for a file
    /// written without line breaks, read the ordinary way.
    static func elementClosing(in bytes: UnsafeRawBufferPointer, firstElement start: Int) -> [UInt8]? {
        var lineStart = start
        while lineStart > 0, bytes[lineStart - 1] == 0x20 || bytes[lineStart - 1] == 0x09 { lineStart -= 1 }
        guard lineStart > 0, bytes[lineStart - 1] == 0x0A, bytes[start] == UInt8(ascii: "{") else { return nil }
        return [0x0A] + Array(bytes[lineStart..<start]) + [UInt8(ascii: "}")]
    }

    /// The first element start past `offset` that follows an element's closing line and a
    /// comma: a guess at where an element begins.
    static func nextCut(in bytes: UnsafeRawBufferPointer, after offset: Int, closing: [UInt8]) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        var position = offset
        while position < bytes.count {
            guard let found = memchr(base + position, 0x0A, bytes.count - position) else { return nil }
            let line = base.distance(to: UnsafeRawPointer(found))
            position = line + 1
            guard line + closing.count <= bytes.count,
                closing.withUnsafeBytes({ memcmp(base + line, $0.baseAddress!, closing.count) }) == 0
            else { continue }
            var reader = JSONByteReader(bytes, offset: line + closing.count)
            if reader.consume(UInt8(ascii: ",")), reader.peek() == UInt8(ascii: "{") { return reader.offset }
        }
        return nil
    }
}
