/// Planar checks on rings in source coordinates (metres for UTM, degrees for WGS 84):
/// self-intersection, crossings between the rings of one polygon, orientation.
/// Quadratic in the ring size with a bounding-box filter: parcels have tens to hundreds
/// of vertices, where this beats a sweep line's bookkeeping.
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
        for i in 0..<segmentCount {
            for j in (i + 1)..<segmentCount {
                let adjacent = j == i + 1 || (i == 0 && j == segmentCount - 1)
                let (a, b) = (ring[i], ring[i + 1])
                let (c, d) = (ring[j], ring[j + 1])
                if adjacent {
                    if doublesBack(a, b, c, d) { return j }
                } else if intersects(a, b, c, d) {
                    return j
                }
            }
        }
        return nil
    }

    /// True when any segment of `first` meets any segment of `second`.
    static func ringsMeet(_ first: [Point], _ second: [Point]) -> Bool {
        for i in 0..<max(0, first.count - 1) {
            for j in 0..<max(0, second.count - 1)
            where intersects(first[i], first[i + 1], second[j], second[j + 1]) {
                return true
            }
        }
        return false
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
