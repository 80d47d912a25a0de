/**
 * The notices a DingTalk robot message carries, each as its headline (`【新交办】村口沟渠堵塞`) and the text that tells
 * it: a message of one notice, its title and text; a batch's listed in one message (`【督办通知】2条`), each line.
 */
export function dingTalkNotices(markdown: { title: string; text: string }): Array<{ headline: string; text: string }> {
  const listed = markdown.text.split('\n\n').flatMap((line) => {
    const entry = /^\d+\. \*\*(.+?)\*\*/.exec(line);
    return entry ? [{ headline: entry[1], text: line }] : [];
  });
  return listed.length > 0 ? listed : [{ headline: markdown.title, text: markdown.text }];
}
