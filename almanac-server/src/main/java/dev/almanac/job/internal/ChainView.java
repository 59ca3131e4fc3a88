package dev.almanac.job.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A job's place in its chain as a small graph the job page draws as SVG: its upstream jobs on the left, the job in
 * the middle, the jobs it starts on the right, each a link.
 */
public record ChainView(int width, int height, List<Node> nodes, List<Edge> edges) {

    static final int NODE_WIDTH = 180;
    static final int NODE_HEIGHT = 32;
    static final int COLUMN_GAP = 70;
    static final int ROW_GAP = 14;
    static final int MAX_LABEL = 24;

    /** A job in the graph: a box at (x, y) with its name, linking to its page; {@code self} is the job shown. */
    public record Node(int x, int y, String label, String title, String id, boolean self) {
        public int width() {
            return NODE_WIDTH;
        }

        public int height() {
            return NODE_HEIGHT;
        }

        public int textX() {
            return x + NODE_WIDTH / 2;
        }

        public int textY() {
            return y + NODE_HEIGHT / 2 + 5;
        }
    }

    /** An arrow from one box's right side to another's left side; {@code label} says which outcome counts. */
    public record Edge(int x1, int y1, int x2, int y2, String label) {
        public int labelX() {
            return (x1 + x2) / 2;
        }

        public int labelY() {
            return (y1 + y2) / 2 - 4;
        }
    }

    /**
     * The graph of a job with {@code upstream} (id to name, and the outcome that counts) and {@code downstream}
     * (id to name); null when the job is in no chain.
     */
    static ChainView of(
            String selfId,
            String selfName,
            Map<String, String> upstream,
            Map<String, String> upstreamOutcomes,
            Map<String, String> downstream) {
        if (upstream.isEmpty() && downstream.isEmpty()) {
            return null;
        }
        int rows = Math.max(1, Math.max(upstream.size(), downstream.size()));
        int height = rows * (NODE_HEIGHT + ROW_GAP) + ROW_GAP;
        int width = 3 * NODE_WIDTH + 2 * COLUMN_GAP + 2;
        int middleX = NODE_WIDTH + COLUMN_GAP + 1;
        int selfY = (height - NODE_HEIGHT) / 2;
        List<Node> nodes = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        nodes.add(new Node(middleX, selfY, shortened(selfName), selfName, selfId, true));
        int selfMid = selfY + NODE_HEIGHT / 2;
        int row = 0;
        int upstreamTop = top(height, upstream.size());
        for (Map.Entry<String, String> up : upstream.entrySet()) {
            int y = upstreamTop + row++ * (NODE_HEIGHT + ROW_GAP);
            nodes.add(new Node(1, y, shortened(up.getValue()), up.getValue(), up.getKey(), false));
            edges.add(new Edge(
                    1 + NODE_WIDTH,
                    y + NODE_HEIGHT / 2,
                    middleX,
                    selfMid,
                    upstreamOutcomes.getOrDefault(up.getKey(), "succeeded")));
        }
        row = 0;
        int downstreamTop = top(height, downstream.size());
        int rightX = middleX + NODE_WIDTH + COLUMN_GAP;
        for (Map.Entry<String, String> down : downstream.entrySet()) {
            int y = downstreamTop + row++ * (NODE_HEIGHT + ROW_GAP);
            nodes.add(new Node(rightX, y, shortened(down.getValue()), down.getValue(), down.getKey(), false));
            edges.add(new Edge(middleX + NODE_WIDTH, selfMid, rightX, y + NODE_HEIGHT / 2, ""));
        }
        return new ChainView(width, height, nodes, edges);
    }

    private static int top(int height, int count) {
        int used = count * (NODE_HEIGHT + ROW_GAP) - ROW_GAP;
        return Math.max(ROW_GAP, (height - used) / 2);
    }

    private static String shortened(String name) {
        return name.length() <= MAX_LABEL ? name : name.substring(0, MAX_LABEL - 1) + "\u2026";
    }
}
