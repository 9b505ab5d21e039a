package io.kmsgw.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** Client-supplied values echoed in errors and audit records: shortened and without control characters. */
class ResponsesEchoTest {
    @Test
    void cleanShortValuesAreReturnedAsTheyAreAndOthersAreRepaired() {
        String ua = "AlibabaCloud (Linux; amd64) Java/17 tea/1.0 dkms-gcs-sdk/0.5";
        assertSame(ua, Responses.echo(ua, 512), "no copy for a clean value");
        assertSame(ua, Responses.echo(ua, ua.length()), "exactly max characters is not shortened");
        assertEquals(ua.substring(0, 10) + "...", Responses.echo(ua, 10));
        assertEquals("a?b?c?d", Responses.echo("a\nb\u0000c\u007fd", 512));
        assertEquals("a?...", Responses.echo("a\rbcdef", 2));
        assertEquals("caf\u00e9 \u4e2d", Responses.echo("caf\u00e9 \u4e2d", 512), "non-ASCII is not a control character");
        assertEquals("", Responses.echo(null, 512));
        assertEquals("", Responses.echo("", 512));
    }

    @Test
    void theClientAddressIsFormattedOncePerConnectionAndAgainWhenItChanges() throws Exception {
        io.netty.channel.embedded.EmbeddedChannel ch = new io.netty.channel.embedded.EmbeddedChannel();
        java.net.InetAddress a = java.net.InetAddress.getByName("192.0.2.7");
        String first = Responses.clientIpText(ch, a);
        assertEquals("192.0.2.7", first);
        assertSame(first, Responses.clientIpText(ch, java.net.InetAddress.getByName("192.0.2.7")), "an equal address reuses the text");
        assertEquals("2001:db8:0:0:0:0:0:1", Responses.clientIpText(ch, java.net.InetAddress.getByName("2001:db8::1")));
        assertEquals("192.0.2.7", Responses.clientIpText(ch, a), "a forwarded client, then the first again");
        assertEquals("", Responses.clientIpText(ch, null));
        ch.finishAndReleaseAll();
    }
}
