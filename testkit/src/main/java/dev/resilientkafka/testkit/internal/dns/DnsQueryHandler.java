package dev.resilientkafka.testkit.internal.dns;

import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Turns one DNS request packet into the response packet, whatever the transport: parses, applies the
 * injected faults, asks the {@link ClusterZoneResponder}, adds EDNS and truncates to what the client
 * can take.
 *
 * <p>Thread-safe: it reads {@link DnsServerState} once per query and keeps nothing else.
 */
public final class DnsQueryHandler {
  /** RFC 1035's UDP limit, for clients that do not say more with EDNS. */
  static final int CLASSIC_UDP_SIZE = 512;

  /** The EDNS payload size this server advertises, and the most it sends over UDP. */
  static final int MAX_UDP_SIZE = 4096;

  /** The most a TCP message can carry behind its two-byte length. */
  static final int MAX_TCP_SIZE = 65_535;

  private static final Logger LOG = LoggerFactory.getLogger(DnsQueryHandler.class);

  private final DnsServerState state;
  private final ClusterZoneResponder responder;

  public DnsQueryHandler(String clusterDomain, DnsServerState state) {
    this.state = state;
    this.responder = new ClusterZoneResponder(clusterDomain);
  }

  /** The transport a packet came over: it decides how big the response may be. */
  public enum Transport {
    UDP,
    TCP
  }

  /**
   * The response to {@code packet}, or empty when nothing must be sent: queries are being dropped, the
   * packet is too short to hold a header, or it is itself a response (answering those could start a
   * loop between two servers).
   */
  public Optional<byte[]> handle(byte[] packet, int length, Transport transport) {
    if (length < Header.LENGTH) {
      LOG.debug("Ignored a {} byte {} packet: shorter than a DNS header", length, transport);
      return Optional.empty();
    }
    Header header;
    try {
      header = new Header(Arrays.copyOf(packet, Header.LENGTH));
    } catch (IOException e) {
      return Optional.empty(); // cannot happen with 12 bytes, but never let a packet kill the loop
    }
    if (header.getFlag(Flags.QR)) {
      LOG.debug("Ignored a {} packet with the QR flag: a response, not a query", transport);
      return Optional.empty();
    }
    state.countQuery();
    if (state.faults().dropQueries()) {
      return Optional.empty();
    }
    Message query;
    try {
      query = new Message(Arrays.copyOf(packet, length));
    } catch (IOException | RuntimeException e) {
      LOG.debug("Answering FORMERR to a malformed {} query (id {}): {}", transport, header.getID(), e.toString());
      return Optional.of(headerOnly(header, Rcode.FORMERR).toWire());
    }
    return Optional.of(encode(respond(query, header), query, transport));
  }

  private Message respond(Message query, Header header) {
    if (header.getOpcode() != Opcode.QUERY) {
      return withQuestion(query, headerOnly(header, Rcode.NOTIMP));
    }
    Record question = query.getQuestion();
    if (question == null || header.getCount(Section.QUESTION) != 1) {
      return headerOnly(header, Rcode.FORMERR);
    }
    Message response = withQuestion(query, headerOnly(header, Rcode.NOERROR));
    OPTRecord opt = query.getOPT();
    if (opt != null && opt.getVersion() != 0) {
      // RFC 6891: BADVERS (16) does not fit the header's four bits; its upper bits travel in the OPT
      response.addRecord(
          new OPTRecord(MAX_UDP_SIZE, Rcode.BADVERS >>> 4, 0, 0), Section.ADDITIONAL);
      return response;
    }
    Optional<Integer> injected = state.faults().rcodeFor(question.getName());
    if (injected.isPresent()) {
      response.getHeader().setRcode(injected.get());
    } else {
      responder.answer(question, state.records(), state.ttlSeconds(), response);
    }
    if (opt != null) {
      response.addRecord(new OPTRecord(MAX_UDP_SIZE, 0, 0, 0), Section.ADDITIONAL);
    }
    return response;
  }

  /**
   * The wire form of {@code response}, or, when that does not fit the client's limit, the header and
   * question with TC set: the client then asks again over TCP and gets the whole answer.
   */
  private static byte[] encode(Message response, Message query, Transport transport) {
    byte[] wire = response.toWire();
    int limit = sizeLimit(query, transport);
    if (wire.length <= limit) {
      return wire;
    }
    // the header first: dnsjava counts records in the header as they are added
    Message truncated = new Message();
    truncated.setHeader(copyFlagsAndRcode(response.getHeader()));
    truncated.getHeader().setFlag(Flags.TC);
    withQuestion(query, truncated);
    OPTRecord opt = response.getOPT();
    if (opt != null) {
      truncated.addRecord(opt, Section.ADDITIONAL);
    }
    return truncated.toWire();
  }

  private static int sizeLimit(Message query, Transport transport) {
    if (transport == Transport.TCP) {
      return MAX_TCP_SIZE;
    }
    OPTRecord opt = query.getOPT();
    if (opt == null) {
      return CLASSIC_UDP_SIZE;
    }
    // RFC 6891: values below 512 are treated as 512
    return Math.max(CLASSIC_UDP_SIZE, Math.min(opt.getPayloadSize(), MAX_UDP_SIZE));
  }

  /** A response header for {@code query}: same id, opcode and RD; QR and RA set; no records yet. */
  private static Message headerOnly(Header query, int rcode) {
    Header header = new Header(query.getID());
    header.setFlag(Flags.QR);
    header.setFlag(Flags.RA);
    if (query.getFlag(Flags.RD)) {
      header.setFlag(Flags.RD);
    }
    header.setOpcode(query.getOpcode());
    header.setRcode(rcode);
    Message response = new Message();
    response.setHeader(header);
    return response;
  }

  private static Message withQuestion(Message query, Message response) {
    Record question = query.getQuestion();
    if (question != null) {
      response.addRecord(question, Section.QUESTION);
    }
    return response;
  }

  /** A header with the same id, opcode, flags and rcode as {@code header}, and no record counts. */
  private static Header copyFlagsAndRcode(Header header) {
    Header copy = new Header(header.getID());
    for (int flag : new int[] {Flags.QR, Flags.AA, Flags.RD, Flags.RA, Flags.AD, Flags.CD}) {
      if (header.getFlag(flag)) {
        copy.setFlag(flag);
      }
    }
    copy.setOpcode(header.getOpcode());
    copy.setRcode(header.getRcode());
    return copy;
  }
}
