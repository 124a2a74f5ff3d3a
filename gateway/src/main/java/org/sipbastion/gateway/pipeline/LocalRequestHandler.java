package org.sipbastion.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.sipbastion.gateway.forward.SelfAddress;
import org.sipbastion.parser.Method;
import org.sipbastion.parser.ResponseWriter;

/**
 * Requests addressed to the appliance itself rather than through it: OPTIONS to our address with
 * no user part is a health check (load balancers, keepalived scripts, SIPp pings) and gets 200.
 */
public final class LocalRequestHandler extends ChannelInboundHandlerAdapter {
    private final SelfAddress self;
    private final StatelessReplier replier;

    public LocalRequestHandler(SelfAddress self, StatelessReplier replier) {
        this.self = self;
        this.replier = replier;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof InboundSip in && in.message.isRequest() && in.message.method() == Method.OPTIONS
            && self.matches(in.message, in.message.requestUri(), true)) {
            ByteBuf out = replier.begin(ctx, in, 200, "OK");
            ResponseWriter.header(out, "Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, INFO, UPDATE, PRACK, SUBSCRIBE, NOTIFY, MESSAGE, REFER");
            ResponseWriter.header(out, "Accept", "application/sdp");
            replier.send(ctx, in, out);
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
