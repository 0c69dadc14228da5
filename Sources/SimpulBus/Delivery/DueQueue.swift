/// Jobs ordered by when they are due: a binary min-heap, so ten thousand retrying events
/// cost a logarithm per step, not a scan.
struct DueQueue {
    private var heap: [(dueMs: Int64, id: Int)] = []

    var first: (dueMs: Int64, id: Int)? { heap.first }
    var count: Int { heap.count }

    mutating func push(dueMs: Int64, id: Int) {
        heap.append((dueMs, id))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].dueMs < heap[parent].dueMs else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    @discardableResult
    mutating func removeFirst() -> (dueMs: Int64, id: Int)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let first = heap.removeLast()
        var parent = 0
        while true {
            let left = parent * 2 + 1, right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].dueMs < heap[smallest].dueMs { smallest = left }
            if right < heap.count && heap[right].dueMs < heap[smallest].dueMs { smallest = right }
            guard smallest != parent else { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }
}
