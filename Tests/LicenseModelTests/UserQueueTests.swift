import Testing

@testable import LicenseModel

@Suite("The licence queue of users")
struct UserQueueTests {
    @Test("each user once, in the order first added, before and after it grows past the hash set into a bit per user")
    func orderAndOnce() {
        var queue = UserQueue(userCount: 10_000)
        for index in [5, 3, 5, 9_999, 0, 3] { queue.add(index) }
        #expect(queue.order == [5, 3, 9_999, 0])
        queue.reserve(UserQueue.bitsFrom)
        for index in [3, 0, 7, 7, 9_999, 4_242, 5] { queue.add(index) }
        #expect(queue.order == [5, 3, 9_999, 0, 7, 4_242])
        var expected = queue.order
        for index in stride(from: 9_998, through: 0, by: -3) {
            queue.add(index)
            if !expected.contains(index) { expected.append(index) }
        }
        #expect(queue.order == expected)
        #expect(Set(queue.order).count == queue.order.count)
    }

    @Test("a small queue stays a hash set, and gives the same order")
    func small() {
        var queue = UserQueue(userCount: 1_000_000)
        queue.reserve(3)
        for index in [2, 1, 2, 999_999] { queue.add(index) }
        #expect(queue.order == [2, 1, 999_999])
    }
}
