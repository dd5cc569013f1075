import { type Child, h } from './dom.js';

/**
 * A modal `<dialog>` with a form: resolves with the form's data on submit, null on cancel (the button,
 * Escape). The browser keeps focus inside and gives it back; the element leaves the page when it closes.
 */
export function formDialog(options: {
  id: string;
  title: string;
  body: readonly Child[];
  submit: string;
  cancel: string;
  danger?: boolean;
}): Promise<FormData | null> {
  const submit = h(
    'button',
    { type: 'submit', class: options.danger === true ? 'danger' : undefined },
    options.submit,
  );
  const cancel = h('button', { type: 'button', class: 'secondary' }, options.cancel);
  const form = h(
    'form',
    { method: 'dialog' },
    h('h2', {}, options.title),
    ...options.body,
    h('div', { class: 'buttons' }, cancel, submit),
  );
  const dialog = h('dialog', { id: options.id, class: 'admin-dialog' }, form);
  document.body.append(dialog);
  return new Promise((resolve) => {
    let answer: FormData | null = null;
    form.addEventListener('submit', () => {
      answer = new FormData(form);
    });
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(answer);
    });
    dialog.showModal();
  });
}

/** Yes or no to `message`. */
export async function confirmDialog(options: {
  id: string;
  title: string;
  message: string;
  confirm: string;
  cancel: string;
  danger?: boolean;
}): Promise<boolean> {
  const answer = await formDialog({
    id: options.id,
    title: options.title,
    body: [h('p', {}, options.message)],
    submit: options.confirm,
    cancel: options.cancel,
    ...(options.danger === undefined ? {} : { danger: options.danger }),
  });
  return answer !== null;
}
