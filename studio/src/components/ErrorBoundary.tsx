import { Component, type ReactNode } from 'react';

/**
 * A rendering bug shows as a message and a way back, not as a blank page. Outside the i18n provider on purpose
 * (it must survive a failure there), so it speaks English.
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <main className="notice error" role="alert">
        <h1>The studio hit a problem</h1>
        <p>{this.state.error.message}</p>
        <p>
          <a href="/">Reload the studio</a>
        </p>
      </main>
    );
  }
}
