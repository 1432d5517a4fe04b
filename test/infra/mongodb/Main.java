import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;

/** Starts an in-memory MongoDB wire server on an ephemeral port, prints the port, stops on stdin EOF. */
public class Main {
  public static void main(String[] args) throws Exception {
    MongoServer server = new MongoServer(new MemoryBackend());
    server.bind("127.0.0.1", 0);
    InetSocketAddress address = server.getLocalAddress();
    System.out.println("PORT " + address.getPort());
    System.out.flush();
    while (System.in.read() != -1) {
      // Runs until the test process closes stdin (or exits).
    }
    server.shutdownNow();
  }
}
