import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.SubscriptionType;

/**
 * The native-protocol reference of the pulsar-throughput benchmark: the broker's own Java client
 * (pulsar-client-original at the broker's version) sends N messages and receives them back.
 *
 * <pre>
 * java -cp &lt;classpath&gt; PulsarThroughput serviceUrl topic partitions messages batching keys payloadFile
 * </pre>
 *
 * Consumers subscribe first (one Shared subscription; one consumer per partition of a
 * partitioned topic), then the producer sends every message asynchronously with the payload of
 * the file and keys "account-0".."account-(keys-1)", at most 1,000 messages pending. Each message
 * is acknowledged on receipt. Prints one JSON line: messages sent, received, and the seconds from
 * the first send to the last receipt.
 */
public final class PulsarThroughput {
  private PulsarThroughput() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 7) {
      System.err.println(
          "usage: PulsarThroughput serviceUrl topic partitions messages batching keys payloadFile");
      System.exit(2);
    }
    String serviceUrl = args[0];
    String topic = args[1];
    int partitions = Integer.parseInt(args[2]);
    int messages = Integer.parseInt(args[3]);
    boolean batching = Boolean.parseBoolean(args[4]);
    int keys = Integer.parseInt(args[5]);
    byte[] payload = Files.readAllBytes(Paths.get(args[6]));

    try (PulsarClient client = PulsarClient.builder().serviceUrl(serviceUrl).build()) {
      CountDownLatch done = new CountDownLatch(messages);
      AtomicInteger received = new AtomicInteger();
      List<Consumer<byte[]>> consumers = new ArrayList<>();
      List<String> consumed = new ArrayList<>();
      if (partitions == 0) consumed.add(topic);
      for (int i = 0; i < partitions; i++) consumed.add(topic + "-partition-" + i);
      for (String name : consumed) {
        consumers.add(
            client
                .newConsumer()
                .topic(name)
                .subscriptionName("bench")
                .subscriptionType(SubscriptionType.Shared)
                .receiverQueueSize(1000)
                .messageListener(
                    (consumer, message) -> {
                      consumer.acknowledgeAsync(message);
                      received.incrementAndGet();
                      done.countDown();
                    })
                .subscribe());
      }
      Producer<byte[]> producer =
          client
              .newProducer()
              .topic(topic)
              .enableBatching(batching)
              .blockIfQueueFull(true)
              .maxPendingMessages(1000)
              .create();
      long start = System.nanoTime();
      for (int i = 0; i < messages; i++) {
        producer.newMessage().key("account-" + (i % keys)).value(payload).sendAsync();
      }
      producer.flush();
      boolean all = done.await(600, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      producer.close();
      for (Consumer<byte[]> consumer : consumers) consumer.close();
      System.out.println(
          "{\"sent\":"
              + messages
              + ",\"received\":"
              + received.get()
              + ",\"complete\":"
              + all
              + ",\"seconds\":"
              + seconds
              + "}");
    }
  }
}
