import java.net.URI;
import java.net.http.*;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.*;
import java.util.regex.*;

/**
 * First paint of a page in headless Chromium, over the DevTools protocol: {@code java FirstPaint.java PORT COOKIE_JAR RUNS
 * PATH}, with a signed-in session in a curl cookie jar (see README.md here). One warm-up load, then the median of RUNS.
 */
public class FirstPaint {
    static WebSocket ws; static int next = 1;
    static final Map<Integer, CompletableFuture<String>> replies = new ConcurrentHashMap<>();
    static final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    static String call(String method, String params) throws Exception {
        int id = next++;
        CompletableFuture<String> f = new CompletableFuture<>();
        replies.put(id, f);
        ws.sendText("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}", true).join();
        return f.get(30, TimeUnit.SECONDS);
    }

    public static void main(String[] a) throws Exception {
        int port = Integer.parseInt(a[0]); int runs = Integer.parseInt(a[2]); String path = a[3];
        String session = null;
        for (String line : Files.readAllLines(Path.of(a[1]))) {
            String[] f = line.split("\t");
            if (f.length == 7 && f[5].equals("ALMANAC_SESSION")) session = f[6];
        }
        int dbg = 9400 + new Random().nextInt(500);
        Process chrome = new ProcessBuilder("/usr/bin/chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                "--remote-debugging-port=" + dbg, "--user-data-dir=" + Files.createTempDirectory("first-paint"), "--window-size=1280,900", "about:blank")
                .redirectErrorStream(true).redirectOutput(Files.createTempFile("first-paint", ".log").toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String list = null;
            for (int i = 0; i < 100 && list == null; i++) {
                try { list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dbg + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body(); }
                catch (Exception e) { Thread.sleep(100); }
            }
            Matcher m = Pattern.compile("\"type\": \"page\"[\\s\\S]*?\"webSocketDebuggerUrl\": \"([^\"]+)\"").matcher(list);
            if (!m.find()) { m = Pattern.compile("\"webSocketDebuggerUrl\": \"(ws://[^\"]+/page/[^\"]+)\"").matcher(list); m.find(); }
            ws = http.newWebSocketBuilder().buildAsync(URI.create(m.group(1)), new WebSocket.Listener() {
                StringBuilder buf = new StringBuilder();
                public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                    buf.append(data);
                    if (last) {
                        String msg = buf.toString(); buf.setLength(0);
                        Matcher id = Pattern.compile("^\\{\"id\":(\\d+)").matcher(msg);
                        if (id.find()) replies.remove(Integer.parseInt(id.group(1))).complete(msg); else events.add(msg);
                    }
                    w.request(1); return null;
                }
            }).join();
            call("Page.enable", "{}");
            call("Network.enable", "{}");
            call("Network.setCacheDisabled", "{\"cacheDisabled\":false}");
            call("Network.setCookie", "{\"name\":\"ALMANAC_SESSION\",\"value\":\"" + session + "\",\"domain\":\"127.0.0.1\",\"path\":\"/\"}");
            List<Double> fcp = new ArrayList<>(), fp = new ArrayList<>(), resp = new ArrayList<>();
            for (int r = 0; r < runs + 1; r++) {
                events.clear();
                call("Page.navigate", "{\"url\":\"http://127.0.0.1:" + port + path + "\"}");
                while (true) { String e = events.poll(30, TimeUnit.SECONDS); if (e == null) throw new IllegalStateException("no load"); if (e.contains("Page.loadEventFired")) break; }
                String v = call("Runtime.evaluate", "{\"returnByValue\":true,\"expression\":\"JSON.stringify({p:performance.getEntriesByType('paint').map(e=>[e.name,e.startTime]),n:performance.getEntriesByType('navigation').map(e=>[e.requestStart,e.responseStart,e.responseEnd,e.domContentLoadedEventEnd])[0],t:document.title})\"}");
                if (r == 0) { System.out.println("warm-up: " + v); continue; }
                Matcher p1 = Pattern.compile("first-paint\\\\\",([0-9.]+)").matcher(v);
                Matcher p2 = Pattern.compile("first-contentful-paint\\\\\",([0-9.]+)").matcher(v);
                Matcher n = Pattern.compile("\\\\\"n\\\\\":\\[([0-9.]+),([0-9.]+),([0-9.]+)").matcher(v);
                if (p1.find()) fp.add(Double.parseDouble(p1.group(1)));
                if (p2.find()) fcp.add(Double.parseDouble(p2.group(1)));
                if (n.find()) resp.add(Double.parseDouble(n.group(2)) - Double.parseDouble(n.group(1)));
            }
            System.out.printf(Locale.ROOT, "%s: first paint median %.0f ms, first contentful paint median %.0f ms, request→first byte median %.0f ms (%d runs) all fcp=%s%n",
                    path, med(fp), med(fcp), med(resp), runs, fcp);
        } finally { chrome.destroy(); chrome.waitFor(5, TimeUnit.SECONDS); }
    }
    static double med(List<Double> l) { if (l.isEmpty()) return -1; List<Double> s = new ArrayList<>(l); Collections.sort(s); return s.get((s.size() - 1) / 2); }
}
