/// Planar checks on rings in source coordinates (metres for UTM, degrees for WGS 84):
/// self-intersection, crossings between the rings of one polygon, orientation.
/// Segment pairs are found by a sweep over x, so a ring of thousands of vertices costs
/// milliseconds, not seconds.
enum RingChecks {
    struct Point: Equatable {
        var x: Double
        var y: Double
    }

    /// The ring without consecutive repeated points (a repeated vertex is not a crossing).
    static func deduplicated(_ ring: [Point]) -> [Point] {
        var result: [Point] = []
        result.reserveCapacity(ring.count)
        for point in ring where result.last != point { result.append(point) }
        return result
    }

    /// The index of the first segment that crosses, touches or doubles back on another
    /// segment of the same closed ring, or nil when the ring is simple.
    static func firstSelfIntersection(_ ring: [Point]) -> Int? {
        let segmentCount = ring.count - 1
        guard segmentCount >= 3 else { return nil }
        var found: Int?
        forEachOverlappingPair(ring, ring, sameRing: true) { i, j in
            let adjacent = j == i + 1 || (i == 0 && j == segmentCount - 1)
            let hit = adjacent
                ? doublesBack(ring[i], ring[i + 1], ring[j], ring[j + 1])
                : intersects(ring[i], ring[i + 1], ring[j], ring[j + 1])
            if hit { found = min(found ?? j, j) }
            return false
        }
        return found
    }

    /// True when any segment of `first` meets any segment of `second`.
    static func ringsMeet(_ first: [Point], _ second: [Point]) -> Bool {
        var met = false
        forEachOverlappingPair(first, second, sameRing: false) { i, j in
            met = intersects(first[i], first[i + 1], second[j], second[j + 1])
            return met
        }
        return met
    }

    /// Calls `body(i, j)` for every pair of segments (i of `first`, j of `second`; i < j
    /// when `sameRing`) whose x-ranges overlap: a sweep over segments sorted by their
    /// left end, O(n log n + pairs) instead of O(n²). `body` returns true to stop.
    private static func forEachOverlappingPair(
        _ first: [Point], _ second: [Point], sameRing: Bool, _ body: (Int, Int) -> Bool
    ) {
        struct Span { var minX: Double; var maxX: Double; var ring: Int; var index: Int }
        var spans: [Span] = []
        spans.reserveCapacity(first.count + second.count)
        for index in 0..<max(0, first.count - 1) {
            spans.append(Span(minX: min(first[index].x, first[index + 1].x), maxX: max(first[index].x, first[index + 1].x), ring: 0, index: index))
        }
        if !sameRing {
            for index in 0..<max(0, second.count - 1) {
                spans.append(Span(minX: min(second[index].x, second[index + 1].x), maxX: max(second[index].x, second[index + 1].x), ring: 1, index: index))
            }
        }
        spans.sort { $0.minX < $1.minX }
        for a in 0..<spans.count {
            var b = a + 1
            while b < spans.count, spans[b].minX <= spans[a].maxX {
                let (left, right) = (spans[a], spans[b])
                b += 1
                if sameRing {
                    if body(min(left.index, right.index), max(left.index, right.index)) { return }
                } else if left.ring != right.ring {
                    let (i, j) = left.ring == 0 ? (left.index, right.index) : (right.index, left.index)
                    if body(i, j) { return }
                }
            }
        }
    }

    /// Twice the signed area (shoelace): positive for counter-clockwise.
    static func signedArea2(_ ring: [(Double, Double)]) -> Double {
        var sum = 0.0
        for index in 0..<max(0, ring.count - 1) {
            let (x1, y1) = ring[index]
            let (x2, y2) = ring[index + 1]
            sum += x1 * y2 - x2 * y1
        }
        return sum
    }

    /// Two segments sharing a vertex that run back over each other (a spike).
    private static func doublesBack(_ a: Point, _ b: Point, _ c: Point, _ d: Point) -> Bool {
        let (u, v) = (Point(x: b.x - a.x, y: b.y - a.y), Point(x: d.x - c.x, y: d.y - c.y))
        return u.x * v.y - u.y * v.x == 0 && u.x * v.x + u.y * v.y < 0
    }

    /// Segments ab and cd meet (crossing, touching or overlapping).
    static func intersects(_ a: Point, _ b: Point, _ c: Point, _ d: Point) -> Bool {
        if max(a.x, b.x) < min(c.x, d.x) || max(c.x, d.x) < min(a.x, b.x)
            || max(a.y, b.y) < min(c.y, d.y) || max(c.y, d.y) < min(a.y, b.y) {
            return false
        }
        let d1 = orientation(c, d, a), d2 = orientation(c, d, b)
        let d3 = orientation(a, b, c), d4 = orientation(a, b, d)
        if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
            return true
        }
        return (d1 == 0 && onSegment(c, d, a)) || (d2 == 0 && onSegment(c, d, b))
            || (d3 == 0 && onSegment(a, b, c)) || (d4 == 0 && onSegment(a, b, d))
    }

    private static func orientation(_ p: Point, _ q: Point, _ r: Point) -> Double {
        (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x)
    }

    /// r, collinear with pq, lies within the segment's box.
    private static func onSegment(_ p: Point, _ q: Point, _ r: Point) -> Bool {
        r.x >= min(p.x, q.x) && r.x <= max(p.x, q.x) && r.y >= min(p.y, q.y) && r.y <= max(p.y, q.y)
    }
}
