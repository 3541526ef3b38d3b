// STS GetCallerIdentity (what builders call to learn the account id), Query protocol.
import type { Ec2Cloud } from '../cloud.js';
import { AwsError } from '../errors.js';
import type { Reply } from '../reply.js';

const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function handleSts(cloud: Ec2Cloud, body: Buffer, requestId: string): Reply {
  const action = new URLSearchParams(body.toString('utf8')).get('Action');
  if (action !== 'GetCallerIdentity') throw new AwsError('InvalidAction', `Could not find operation ${action ?? '(none)'} for version 2011-06-15`);
  const xml =
    `<GetCallerIdentityResponse xmlns="${STS_NAMESPACE}"><GetCallerIdentityResult>` +
    `<Arn>arn:aws:iam::${cloud.accountId}:user/imgbuild</Arn><UserId>AIDAFAKEIMGBUILDUSER</UserId><Account>${cloud.accountId}</Account>` +
    `</GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
  return { status: 200, headers: { 'content-type': 'text/xml' }, body: xml };
}
